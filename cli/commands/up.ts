import { relative } from "node:path";
import { loadConfig } from "../../runtime/config/load-config.ts";
import type { DaemonManager } from "../../runtime/daemon-manager.ts";
import { dependencyClosure } from "../../machines/dependency-graph.ts";
import { STATE_OF_EVENT, type LifecycleEventData } from "../../runtime/envelope.ts";
import { messageOf } from "../../runtime/errors.ts";
import { createLogger } from "../../runtime/logger.ts";
import { HEALTH_SERVER, attachControlPlane } from "../../runtime/control-plane.ts";
import { managerFromConfig } from "../../runtime/manager-from-config.ts";
import { selectDaemons, type Selection } from "../../runtime/select-daemons.ts";
import { formatOutputLine } from "../format-output-line.ts";
import { formatTransition } from "../format-transition.ts";
import { StartupProgress } from "../startup-progress.ts";
import { humanLogStream } from "../human-log-stream.ts";
import type { CliIO } from "../io.ts";

export interface UpOptions extends Selection {
  config?: string;
  logLevel?: string;
  /** Print process daemons' stdout and stderr lines (commander's `--no-output` turns it off). */
  output?: boolean;
}

/**
 * `warden up`: runs the manager in the foreground, prints each transition as it happens, and on
 * SIGINT/SIGTERM stops everything in reverse dependency order and exits 0. A critical daemon
 * that fails shuts everything down and exits 1.
 */
export async function up(options: UpOptions, parentIo: CliIO): Promise<void> {
  const loaded = await loadConfig(options.config, parentIo.cwd);
  const names = selectDaemons(loaded.config, options);
  const graph = new Map(
    Object.entries(loaded.config.daemons).map(([name, d]) => [name, d.dependsOn ?? []]),
  );
  const targets = [...dependencyClosure(names, graph)];
  const { io, progress } = withProgress(parentIo, [HEALTH_SERVER, ...targets]);
  const logger = createLogger({
    level: options.logLevel ?? "info",
    destination: humanLogStream(io.errStream, io.color),
  });
  const manager = await managerFromConfig(loaded, { logger });
  const plane = attachControlPlane(manager, loaded, targets, logger);
  const width = Math.max(...manager.names().map((name) => name.length));
  manager.events$.subscribe((event) => {
    const line = formatTransition(event, io.color, width);
    if (line) io.out(line);
    const state = STATE_OF_EVENT[event.type];
    if (state) progress?.update((event.data as LifecycleEventData).daemon, state);
  });
  if (options.output !== false) {
    manager.output$.subscribe((line) => io.out(formatOutputLine(line, io.color, width)));
  }

  const where = relative(io.cwd, loaded.file) || loaded.file;
  io.err(
    `warden: ${where}: starting ${plane.targets.length} of ${manager.names().length} daemons (HEALTH_SERVER and the selection with its dependencies); Ctrl-C stops them in order`,
  );

  let stopping = false;
  const shutdown = async (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    io.err(`warden: ${why}: stopping every daemon in reverse dependency order`);
    await manager.close();
    plane.close();
    io.err("warden: all daemons stopped");
    io.exit(code);
  };
  io.onShutdownSignal((signal) => void shutdown(signal, 0));
  manager.escalated$.subscribe((name) => {
    io.err(`warden: critical daemon "${name}" failed: shutting down (exit 1)`);
    void shutdown(`critical daemon ${name} failed`, 1);
  });

  await startReporting(manager, plane.targets, io);
  const url = plane.url();
  if (url) io.err(`warden: control API at ${url} (\`warden status\` to see the daemons)`);
  progress?.finish();
}

/**
 * On a terminal, an I/O whose every line keeps the startup progress line below it; elsewhere
 * the I/O as it is (plain lines only).
 */
function withProgress(io: CliIO, names: readonly string[]) {
  if (!io.interactive) return { io, progress: undefined };
  const progress = new StartupProgress(
    names,
    (text) => void io.errStream.write(text),
    io.color,
    () => io.columns?.(),
  );
  const wrapped: CliIO = {
    ...io,
    out: (line) => progress.around(() => io.out(line)),
    err: (line) => progress.around(() => io.err(line)),
    errStream: {
      write: (chunk) => {
        let written: boolean | void = true;
        progress.around(() => (written = io.errStream.write(chunk)));
        return written;
      },
    },
  };
  return { io: wrapped, progress };
}

async function startReporting(
  manager: DaemonManager,
  names: readonly string[],
  io: CliIO,
): Promise<void> {
  try {
    await manager.startMany(names);
    const running = manager.status().filter((s) => s.state === "RUNNING").length;
    io.err(`warden: ${running} ${running === 1 ? "daemon" : "daemons"} running`);
  } catch (error) {
    // A daemon that fails to start is reported; the others stay supervised.
    io.err(`warden: ${messageOf(error)}`);
  }
}
