/**
 * Benchmark (f): what a running manager costs the machine and how fast the CLI answers. A manager
 * runs in a child process as in production, `node bin/warden.js up --config
 * <temp>/warden.config.json --no-output --log-level warn`: a JSON configuration and the plain
 * JavaScript bench/fixtures/instant-daemon.mjs, so that it loads no TypeScript loader, with the
 * daemon index's 59 daemons besides the built-in HEALTH_SERVER and their dependencies. Beside it,
 * pm2 6 (installed on demand as for (d), PM2_HOME in the temporary folder) supervises 60 apps of
 * the same names, each `sleep 100000` (cli-footprint/pm2-fleet.ts).
 *
 * - memory and CPU (Linux, from /proc): once every daemon is RUNNING (`GET /readyz`) and every
 *   pm2 app online (`pm2 jlist`), each supervisor's VmRSS and Private_Dirty; again after an idle
 *   period without any request; and the CPU time (utime + stime) it used meanwhile, as a
 *   percentage of one core (cli-footprint/idle.ts, cli-footprint/proc.ts);
 * - then the CLI: `node -e 0`, `warden status`, `warden --help` and `warden restart S3_BACKUP`,
 *   each spawn to exit, in rotating order (cli-footprint/cli-timing.ts).
 *
 * The manager is stopped by pid (SIGTERM, SIGKILL after 10 s), pm2 by `pm2 kill` (or the pid in
 * pm2.pid), and the temporary folder removed at the end, after an error, and on SIGINT or SIGTERM.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { closingOnSignal } from "./cleanup.ts";
import { measureCliTiming, type CliTiming } from "./cli-footprint/cli-timing.ts";
import { measureIdle, type IdleResult, type Supervisor } from "./cli-footprint/idle.ts";
import { Pm2Fleet } from "./cli-footprint/pm2-fleet.ts";
import { clockTicksPerSecond, whyNoProc } from "./cli-footprint/proc.ts";
import type { Child } from "./control-api/child.ts";
import { indexConfig, startManager, type Manager } from "./control-api/server.ts";
import { DAEMON_INDEX } from "./daemon-index-graph.ts";
import { preparePm2 } from "./process-restart/pm2.ts";

export type { CliCommand, CliTiming } from "./cli-footprint/cli-timing.ts";
export { CLI_COMMANDS, CLI_LABELS } from "./cli-footprint/cli-timing.ts";
export type { Footprint, IdleResult } from "./cli-footprint/idle.ts";
export type { Memory } from "./cli-footprint/proc.ts";

const DAEMON_MODULE = fileURLToPath(new URL("./fixtures/instant-daemon.mjs", import.meta.url));

export interface CliFootprintOptions {
  /** The idle period between the two memory readings, s. */
  idleSeconds: number;
  /** Measured rounds of the CLI commands, and rounds run first and thrown away. */
  runs: number;
  warmups: number;
  /** Compare with pm2 (installing it on demand). */
  pm2: boolean;
  progress?: (message: string) => void;
}

export interface CliFootprintResult {
  /** Daemons of the manager (HEALTH_SERVER included), and apps of pm2. */
  daemons: number;
  apps: number;
  /** Memory and CPU; missing without /proc (`procSkipped` says why). */
  idle?: IdleResult;
  procSkipped?: string;
  /** The pm2 version measured, or why pm2 was not. */
  pm2Version?: string;
  pm2Skipped?: string;
  cli: CliTiming;
}

/** The manager's configuration: the index as JSON, every daemon the .mjs fixture. */
function writeJsonConfig(dir: string): string {
  const file = join(dir, "warden.config.json");
  writeFileSync(file, `${JSON.stringify(indexConfig(DAEMON_MODULE), null, 2)}\n`);
  return file;
}

/**
 * Runs benchmark (f) and stops everything it started, whatever happens.
 *
 * @example
 * const result = await runCliFootprint({ idleSeconds: 60, runs: 15, warmups: 2, pm2: true });
 * result.idle?.warden.afterIdle.rssBytes; // the manager's RSS after a minute of idling
 */
export async function runCliFootprint(options: CliFootprintOptions): Promise<CliFootprintResult> {
  const progress = options.progress ?? (() => {});
  const procSkipped = whyNoProc();
  if (procSkipped) progress(`(f) no memory or CPU figures: ${procSkipped}`);
  const pm2 = procSkipped
    ? `there are no memory figures to compare (${procSkipped})`
    : options.pm2
      ? await preparePm2(progress, "(f)")
      : "left out with --no-pm2";
  if (typeof pm2 === "string") progress(`(f) pm2 not measured: ${pm2}`);
  const dir = mkdtempSync(join(tmpdir(), "warden-bench-footprint-"));
  const started: { dir: string; manager?: Manager; fleet?: Pm2Fleet; cli?: Child } = { dir };
  const closeAll = async () => {
    const closed = await Promise.allSettled([
      started.cli?.stop(),
      started.manager?.child.stop(),
      started.fleet?.close(),
    ]);
    rmSync(dir, { recursive: true, force: true });
    const failed = closed.find((outcome) => outcome.status === "rejected");
    if (failed) throw failed.reason;
  };
  const announce = (signal: NodeJS.Signals) =>
    progress(`(f) ${signal}: stopping the manager and pm2 first`);
  return closingOnSignal(closeAll, announce, async () => {
    const config = writeJsonConfig(dir);
    progress(
      `(f) starting the manager: warden up with ${DAEMON_INDEX.length} daemons (JSON, .mjs)`,
    );
    const manager = await startManager(dir, config);
    started.manager = manager;
    const supervisors: { warden: Supervisor; pm2?: Supervisor } = {
      warden: { pid: manager.child.child.pid!, checkAlive: () => manager.child.checkAlive() },
    };
    if (typeof pm2 !== "string") {
      progress(`(f) starting pm2 ${pm2.version} with ${DAEMON_INDEX.length} \`sleep\` apps`);
      started.fleet = new Pm2Fleet(pm2, join(dir, "pm2"));
      const pid = await started.fleet.start(DAEMON_INDEX.map((entry) => entry.type));
      supervisors.pm2 = { pid, checkAlive: () => checkPm2Alive(pid) };
    }
    let idle: IdleResult | undefined;
    if (!procSkipped) {
      progress(`(f) idle: ${options.idleSeconds} s without a request`);
      idle = await measureIdle(supervisors, options.idleSeconds, clockTicksPerSecond());
      progress(`(f) idle: ${describeIdle(idle)}`);
    }
    // The CLI runs keep their child in `started`, so that a signal stops it too.
    const session = Object.assign(started, { config, manager });
    const cli = await measureCliTiming(session, options, progress);
    const result: CliFootprintResult = {
      daemons: DAEMON_INDEX.length,
      apps: DAEMON_INDEX.length,
      cli,
      ...(idle ? { idle } : {}),
      ...(procSkipped ? { procSkipped } : {}),
    };
    if (typeof pm2 === "string") result.pm2Skipped = pm2;
    else result.pm2Version = pm2.version;
    return result;
  });
}

function checkPm2Alive(pid: number): void {
  try {
    process.kill(pid, 0);
  } catch {
    throw new Error(`cli-footprint: pm2's daemon (pid ${pid}) has gone during the idle period`);
  }
}

function describeIdle(idle: IdleResult): string {
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return (["warden", "pm2"] as const)
    .flatMap((name) => {
      const footprint = idle[name];
      if (!footprint) return [];
      const { afterStart, afterIdle, cpuPercent } = footprint;
      return [
        `${name} RSS ${mib(afterStart.rssBytes)} → ${mib(afterIdle.rssBytes)}, CPU ${cpuPercent.toFixed(2)} %`,
      ];
    })
    .join("; ");
}
