import { join, relative, resolve } from "node:path";
import { configErrorOfGraph } from "../../runtime/config/graph-config-error.ts";
import { loadConfig, stateDirOf, type LoadedConfig } from "../../runtime/config/load-config.ts";
import { configErrorOfModule } from "../../runtime/config/module-config-error.ts";
import type { DaemonManager } from "../../runtime/manager/daemon-manager.ts";
import { STATE_OF_EVENT, type LifecycleEventData } from "../../machines/envelope.ts";
import { messageOf } from "../../machines/errors.ts";
import { createLogger } from "../../runtime/logger.ts";
import { HEALTH_SERVER, attachControlPlane } from "../../runtime/control/control-plane.ts";
import { managerFromConfig } from "../../runtime/config/manager-from-config.ts";
import type { Selection } from "../../runtime/config/select-daemons.ts";
import { planStart } from "../../runtime/catalog/start-plan.ts";
import { configuredDaemons, dependencyGraphOf } from "../../runtime/catalog/config-daemons.ts";
import { validateGraph } from "../../runtime/manager/validate-graph.ts";
import { resolveProfile } from "./profile-auto.ts";
import { StateDirGuard } from "../../runtime/state/state-dir-guard.ts";
import { rememberStateDir } from "../../runtime/config/state-dir-memo.ts";
import { LOCK_FILE, acquireStateLock } from "../../runtime/state/state-lock.ts";
import { Journal } from "../../runtime/journal/journal.ts";
import { JournalDeadLetters } from "../../runtime/journal/dead-letter-store.ts";
import type { StatelyBridge } from "../../runtime/inspect/stately-bridge.ts";
import type { Cluster } from "../../runtime/cluster/cluster.ts";
import { clusterRoutes } from "../../runtime/control/control-routes-cluster.ts";
import { formatOutputLine } from "../format-output-line.ts";
import { formatTransition } from "../format-transition.ts";
import { startReporting } from "../start-report.ts";
import { StartupProgress } from "../startup-progress.ts";
import { humanLogStream } from "../human-log-stream.ts";
import type { CliIO } from "../io.ts";

export interface UpOptions extends Selection {
  config?: string;
  logLevel?: string;
  /** Print process daemons' stdout and stderr lines (commander's `--no-output` turns it off). */
  output?: boolean;
  /** Run the manager as a child of a supervisor that restarts it (./supervised.ts). */
  supervised?: boolean;
  /** A Stately inspector's WebSocket URL: the actor system is streamed there. */
  inspect?: string;
}

/**
 * `warden up`: runs the manager in the foreground, prints each transition as it happens, and on
 * SIGINT/SIGTERM stops everything in reverse dependency order and exits 0. A critical daemon
 * that fails shuts everything down and exits 1.
 */
export async function up(options: UpOptions, parentIo: CliIO): Promise<void> {
  // The CLI goes to ./supervised.ts directly, without loading this module's runtime.
  if (options.supervised === true) {
    return (await import("./supervised.ts")).supervised(options, parentIo);
  }
  const loaded = await loadConfig(options.config, parentIo.cwd);
  const where = relative(parentIo.cwd, loaded.file) || loaded.file;
  const selection = await resolveProfile(loaded, options, parentIo);
  // What would start, checked against the catalog before anything is locked or loaded.
  const { targets, warnings } = planOrConfigError(loaded, selection, where, parentIo.cwd);
  for (const warning of warnings) parentIo.err(`warden: warning: ${warning}`);
  // One manager per state directory, decided before anything is loaded or started.
  const lock = await acquireStateLock(stateDirOf(loaded), { config: resolve(loaded.file) });
  // So that `warden status` and friends find this manager without running a module config.
  rememberStateDir(resolve(loaded.file), lock.stateDir);
  let journal: Journal;
  let deadLetters: JournalDeadLetters;
  try {
    // After the lock: only the manager that holds it writes the journal.
    journal = Journal.open(lock.stateDir);
    try {
      deadLetters = JournalDeadLetters.open(journal);
    } catch (error) {
      journal.close();
      throw error;
    }
  } catch (error) {
    await lock.release();
    throw error;
  }
  const { io, progress } = withProgress(parentIo, [HEALTH_SERVER, ...targets]);
  const logger = createLogger({
    level: options.logLevel ?? "info",
    destination: humanLogStream(io.errStream, io.color),
  });
  // Stately's inspector, if asked for: every actor from the first on (runtime/inspect/).
  let bridge: StatelyBridge | undefined;
  if (options.inspect !== undefined) {
    try {
      const { statelyBridge } = await import("../../runtime/inspect/stately-bridge.ts");
      bridge = statelyBridge({ url: options.inspect, logger });
    } catch (error) {
      deadLetters.close();
      journal.close();
      await lock.release();
      throw error;
    }
  }
  // Made once the manager exists, used by callbacks handed to it before.
  const late: { fatal?: (why: string) => void; guard?: StateDirGuard } = {};
  let manager: DaemonManager;
  let plane: ReturnType<typeof attachControlPlane>;
  let cluster: Cluster | undefined;
  try {
    manager = await managerFromConfig(loaded, {
      // Only the built-ins that will run: a registered EVENT_ROUTER holds events until it runs.
      builtIns: targets,
      logger,
      journal,
      deadLetters,
      ...(bridge ? { inspect: bridge.inspect } : {}),
      // A crash loop and a FAILED daemon survive a restart of the manager (docs/restart-state.md).
      restartState: true,
      // An error that belongs to no daemon is the manager's own: stop everything, exit 1.
      onUnhandledError: (error) => {
        logger.fatal({ err: error }, "unhandled error outside any daemon");
        late.fatal?.(`internal error: ${messageOf(error)}`);
      },
    }).catch((error: unknown) => {
      throw configErrorOfModule(error, loaded, parentIo.cwd) ?? error;
    });
    // Cluster mode (docs/cluster.md), loaded only when configured; it connects after bind().
    cluster =
      loaded.config.cluster === undefined
        ? undefined
        : (await import("./cluster-up.ts")).clusterForUp(
            loaded,
            manager,
            logger,
            selection,
            options.profile,
            targets,
          );
    const clusterNow = cluster;
    // Singletons start only where their lease is held (runtime/cluster/singleton-guard.ts).
    const local = targets.filter((name) => !(cluster?.singletons.includes(name) ?? false));
    plane = attachControlPlane(
      manager,
      loaded,
      local,
      logger,
      () => {
        const problems: string[] = [];
        const problem = late.guard?.problem();
        if (problem !== undefined) problems.push(problem);
        if (journal.degraded) problems.push(journalProblem(journal));
        const linkProblem = clusterNow?.problem();
        if (linkProblem !== undefined) problems.push(linkProblem);
        return problems;
      },
      [clusterRoutes(cluster)],
    );
    // After HEALTH_SERVER is registered: a daemon may depend on it.
    checkGraph(manager, loaded, parentIo.cwd);
    await plane.bind();
  } catch (error) {
    bridge?.stop();
    deadLetters.close();
    journal.close();
    await lock.release();
    throw error;
  }
  // NATS down or unreachable is a problem in status, never a reason not to supervise.
  cluster?.start();
  journal.degraded$.subscribe((degraded) => {
    if (degraded) logger.error(`${journalProblem(journal)}; the manager keeps supervising`);
    else logger.info(`journal ${journal.file} is written again`);
  });
  const guard = new StateDirGuard({
    stateDir: lock.stateDir,
    marker: join(lock.stateDir, LOCK_FILE),
    restore: [
      () => lock.rewrite(),
      () => plane.restoreFiles(),
      () => manager.repairProcesses(),
      // The old file lives on only through its descriptor: events go to a new one from here.
      () => {
        journal.reopen();
        deadLetters.reattach(journal.db);
      },
    ],
    logger,
  });
  late.guard = guard;
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

  io.err(
    `warden: ${where}: starting ${plane.targets.length} of ${manager.names().length} daemons (HEALTH_SERVER and the selection with its dependencies); Ctrl-C stops them in order`,
  );

  let stopping = false;
  const shutdown = async (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    guard.stop();
    io.err(`warden: ${why}: stopping every daemon in reverse dependency order`);
    const budgetMs = manager.stopBudgetMs();
    const inTime = await closeWithin(manager, budgetMs);
    // After the daemons: the others see their last states, then this node leave.
    if (cluster !== undefined) await (await import("./cluster-up.ts")).closeCluster(cluster);
    plane.close();
    closeJournal(journal, deadLetters, io);
    bridge?.stop();
    await lock.release();
    if (inTime) {
      io.err("warden: all daemons stopped");
      io.exit(code);
    } else {
      io.err(`warden: the stop did not finish within ${budgetMs} ms: killed what was left`);
      io.exit(1);
    }
  };
  late.fatal = (why) => void shutdown(why, 1);
  io.onShutdownSignal((signal) => void shutdown(signal, exitCodeOfSignal(signal)));
  io.onHangup?.(() =>
    io.err(
      "warden: SIGHUP: ignored, the manager keeps running (a closed terminal no longer stops it; " +
        "SIGTERM or Ctrl-C stops everything in order)",
    ),
  );
  manager.escalated$.subscribe((name) => {
    io.err(`warden: critical daemon "${name}" failed: shutting down (exit 1)`);
    void shutdown(`critical daemon ${name} failed`, 1);
  });

  guard.start();
  await startReporting(manager, plane.targets, io);
  const url = plane.url();
  if (url) io.err(`warden: control API at ${url} (\`warden status\` to see the daemons)`);
  progress?.finish();
}

/** The dependency graph is checked before anything starts: a cycle is a configuration error. */
/**
 * The start plan of `selection`: the graph of every known daemon checked first (a cycle or an
 * unknown dependency is a configuration error naming the `dependsOn` entry), then the targets.
 */
function planOrConfigError(
  loaded: LoadedConfig,
  selection: Selection,
  where: string,
  cwd: string,
): ReturnType<typeof planStart> {
  try {
    validateGraph(dependencyGraphOf(configuredDaemons(loaded.config)));
  } catch (error) {
    throw configErrorOfGraph(error, loaded, cwd) ?? error;
  }
  return planStart(loaded.config, selection, where);
}

function checkGraph(manager: DaemonManager, loaded: LoadedConfig, cwd: string): void {
  try {
    manager.validate();
  } catch (error) {
    throw configErrorOfGraph(error, loaded, cwd) ?? error;
  }
}

/**
 * Closes the manager within `budgetMs`; past that, SIGKILLs what is left and resolves false.
 * A shutdown is always bounded, whatever hangs.
 */
async function closeWithin(manager: DaemonManager, budgetMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>(
    (resolve) => (timer = setTimeout(() => resolve(false), budgetMs)),
  );
  const closed = manager.close().then(
    () => true as const,
    () => true as const,
  );
  const inTime = await Promise.race([closed, late]);
  clearTimeout(timer);
  if (!inTime) manager.killAllNow();
  return inTime;
}

/** An ordered stop asked for by SIGINT/SIGTERM is a success; SIGQUIT and SIGABRT are not. */
function exitCodeOfSignal(signal: string): number {
  if (signal === "SIGQUIT") return 128 + 3;
  if (signal === "SIGABRT") return 128 + 6;
  return 0;
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

/** What /readyz and status say while the journal cannot be written. */
function journalProblem(journal: Journal): string {
  const dropped = journal.dropped > 0 ? `, ${journal.dropped} events dropped from memory` : "";
  return `degraded: events are not journaled (${journal.degraded?.error.message}${dropped})`;
}

/** Writes what the journal still holds; a failure is said, never thrown on the way out. */
function closeJournal(journal: Journal, deadLetters: JournalDeadLetters, io: CliIO): void {
  try {
    // The dead letters first: they write through the journal's connection.
    deadLetters.close();
    journal.close();
  } catch (error) {
    io.err(`warden: ${messageOf(error)}`);
  }
}
