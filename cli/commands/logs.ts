import type { Command } from "commander";
import { suggestion } from "../../machines/closest-name.ts";
import type { LoadedConfig } from "../../runtime/config/load-config.ts";
import { DEFAULTS } from "../../machines/defaults.ts";
import { WardenError, messageOf } from "../../machines/errors.ts";
import { logFileOf } from "../../actors/log-files.ts";
import type { CliIO } from "../io.ts";
import { followLog } from "../log-follow.ts";
import { tailLog, type LogTail } from "../log-tail.ts";
import { shownPath } from "../shown-path.ts";
import { terminalSafe } from "../terminal-safe.ts";

/** An unknown name with no close match lists the configuration's daemons, up to this many. */
const LISTED_NAMES = 20;

export interface LogsOptions {
  config?: string;
  /** `-n`: how many of the last lines to print; a non-negative integer (commander passes text). */
  lines?: string | number;
  /** `-f`: keep printing new lines until SIGINT/SIGTERM. */
  follow?: boolean;
}

/**
 * `warden logs <NAME>`: prints the last lines of a daemon's log (`<stateDir>/logs/<NAME>.log`
 * and its rotated files) and, with `follow`, every line appended later, across rotations, until
 * SIGINT or SIGTERM. Control characters in the lines are shown as `\xNN`, never sent to the
 * terminal. Needs no running manager. An unknown name (with the closest names) or a bad `-n`
 * exits 2. An in-process daemon has no log file: without one, it says where its lines go.
 *
 * @example
 * await logs("api", { lines: "50", follow: true }, io);
 */
export async function logs(name: string, options: LogsOptions, io: CliIO): Promise<void> {
  const count = lineCountOf(options.lines);
  // The configuration machinery is loaded when the command runs, not when the CLI starts.
  const { loadConfig, stateDirOf } = await import("../../runtime/config/load-config.ts");
  const loaded = await loadConfig(options.config, io.cwd);
  checkKnown(name, loaded, io.cwd);
  const file = logFileOf(stateDirOf(loaded), name);
  const follow = options.follow === true;
  const tail = tailLog(file, count, follow);
  const module = loaded.config.daemons[name]?.module;
  if (!tail.found && module !== undefined) {
    // Nothing will ever be written there: following would wait for good.
    io.err(
      `warden: ${name} is an in-process daemon (module ${JSON.stringify(module)}): it has no log file; ` +
        "what it logs through ctx.logger goes to the standard error of `warden up` " +
        "(the terminal it runs in, or the journal when systemd runs it)",
    );
    return;
  }
  if (!follow) {
    printTail(name, file, tail, io, "");
    return;
  }
  // Listen before printing anything: whoever reads the output may signal right after it.
  const signalled = new Promise<void>((resolve) => io.onShutdownSignal(() => resolve()));
  printTail(name, file, tail, io, "; waiting for them (Ctrl-C to stop)");
  const stop = followLog(file, tail, {
    emit: (line) => io.out(terminalSafe(line)),
    onError: (error) =>
      io.err(`warden: cannot read ${shownPath(file, io.cwd)}: ${messageOf(error)}; still trying`),
  });
  await signalled;
  stop();
}

/**
 * Adds `warden logs <NAME> [-n N] [-f] [-c F]` to `program`.
 *
 * @example
 * registerLogsCommand(program, io);
 */
export function registerLogsCommand(program: Command, io: CliIO): void {
  program
    .command("logs")
    .description(
      "print the last lines of a daemon's stdout and stderr log; -f keeps printing new ones",
    )
    .argument("<name>", "the daemon, as named in the configuration")
    .option(
      "-n, --lines <count>",
      "how many of the last lines to print",
      `${DEFAULTS.cli.logLines}`,
    )
    .option("-f, --follow", "keep printing lines as they are written, until Ctrl-C")
    .option(
      "-c, --config <file>",
      "configuration file (default: warden.config.{ts,js,mjs,json,yaml} here)",
    )
    .action(async (name: string, options: LogsOptions) => logs(name, options, io));
}

function lineCountOf(lines: string | number | undefined): number {
  if (lines === undefined) return DEFAULTS.cli.logLines;
  const text = String(lines).trim();
  const count = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(count)) {
    throw new WardenError(
      "WARDEN_ERR_USAGE",
      `-n/--lines: expected a non-negative integer, got ${JSON.stringify(String(lines))}`,
    );
  }
  return count;
}

function checkKnown(name: string, loaded: LoadedConfig, cwd: string): void {
  const known = Object.keys(loaded.config.daemons);
  if (Object.hasOwn(loaded.config.daemons, name)) return;
  const where = `no daemon named "${name}" in ${shownPath(loaded.file, cwd)}`;
  const close = suggestion(name, known);
  const listed =
    known.slice(0, LISTED_NAMES).join(", ") + (known.length > LISTED_NAMES ? ", …" : "");
  const hint =
    close || (known.length === 0 ? "; it defines no daemons" : `; its daemons: ${listed}`);
  throw new WardenError("WARDEN_ERR_UNKNOWN_DAEMON", `${where}${hint}`);
}

function printTail(name: string, file: string, tail: LogTail, io: CliIO, waiting: string): void {
  for (const line of tail.lines) io.out(terminalSafe(line));
  if (!tail.found) io.err(`warden: no logs yet for ${name} (${shownPath(file, io.cwd)})${waiting}`);
}
