/**
 * Benchmark (e)'s restart times: `node bin/warden.js restart X --config F` from spawn to exit,
 * split with the manager's own event stamps into CLI start + request (spawn to
 * `DAEMON_RESTARTING`), the restart in the manager (`DAEMON_RESTARTING` to `DAEMON_STARTED`) and
 * the answer and exit; `POST /v1/daemons/X/restart` sent directly; and `node bin/warden.js --help`
 * as the cost of starting the CLI alone.
 */
import type { Envelope, LifecycleEventData } from "../../machines/envelope.ts";
import type { DaemonStatus } from "../../runtime/manager/daemon-manager.ts";
import { inRotation } from "../rotation.ts";
import { median } from "../stats.ts";
import { delay } from "../wait.ts";
import { runTimed, spawnNode } from "./child.ts";
import { sendJson } from "./http.ts";
import type { Manager, Session } from "./server.ts";
import { RESTARTED_DAEMON, SETTLE_MS, STEP_TIMEOUT_MS, WARDEN_BIN } from "./settings.ts";

export interface RestartOptions {
  /** Measured restart rounds; each round restarts once through the CLI and once directly. */
  restartRuns: number;
  /** Restart rounds run first and thrown away. */
  restartWarmups: number;
}

/** One `warden restart X`, split by the manager's event stamps (whole milliseconds). */
export interface CliSample {
  /** Spawn to exit, ms. */
  totalMs: number;
  /** Spawn to the manager's `DAEMON_RESTARTING`: CLI process start and its requests. */
  toServerMs: number;
  /** `DAEMON_RESTARTING` to `DAEMON_STARTED`: the restart in the manager. */
  serverMs: number;
  /** `DAEMON_STARTED` to the CLI's exit: the answer, printing it, and the exit. */
  afterMs: number;
}

export interface DirectSample {
  /** The POST sent to the answer received, on a new connection, ms. */
  totalMs: number;
  /** `DAEMON_RESTARTING` to `DAEMON_STARTED`, ms. */
  serverMs: number;
}

export interface RestartResult {
  daemon: string;
  runs: number;
  warmups: number;
  /** Medians of the CLI's runs; missing when the CLI has no `restart` command. */
  cli?: CliSample;
  cliSkipped?: string;
  direct: DirectSample;
  /** Median of `node bin/warden.js --help`, spawn to exit, ms. */
  helpMs: number;
  samples: { cli: CliSample[]; direct: DirectSample[]; help: number[] };
}

type RestartWay = "cli" | "direct" | "help";
const RESTART_WAYS: readonly RestartWay[] = ["cli", "direct", "help"];

/**
 * Why the CLI cannot restart yet, or undefined when `warden restart` exists (for an unknown
 * command, `--help` prints the root help and exits 0).
 */
async function whyNoRestartCommand(dir: string): Promise<string | undefined> {
  const child = spawnNode("warden restart --help", [WARDEN_BIN, "restart", "--help"], dir);
  const { code } = await child.exitWithin(STEP_TIMEOUT_MS);
  if (code === 0 && /Usage: warden restart/.test(child.tail())) return undefined;
  return `\`node bin/warden.js restart --help\` does not show a restart command (exit ${code})`;
}

/** The latest restart of `daemon` by the manager's clock: RESTARTING and the STARTED after it. */
async function restartStamps(
  manager: Manager,
  daemon: string,
): Promise<{ restarting: number; started: number }> {
  const { events } = await sendJson<{ events: Envelope<LifecycleEventData>[] }>(
    "GET",
    `${manager.url}/v1/events?type=DAEMON_RESTARTING,DAEMON_STARTED&limit=50`,
    manager.token,
  );
  const mine = events.filter((event) => event.data.daemon === daemon);
  const at = mine.findLastIndex((event) => event.type === "DAEMON_RESTARTING");
  const started = mine.slice(at + 1).find((event) => event.type === "DAEMON_STARTED");
  if (at < 0 || !started) {
    throw new Error(
      `control-api: no DAEMON_RESTARTING then DAEMON_STARTED of ${daemon} in the events`,
    );
  }
  return { restarting: mine[at]!.time, started: started.time };
}

/** Fails unless `daemon` is RUNNING and was restarted at `before` (a `Date.now()`) or later. */
export async function checkRunningAgain(
  manager: Manager,
  daemon: string,
  before: number,
): Promise<void> {
  const status = await sendJson<DaemonStatus>(
    "GET",
    `${manager.url}/v1/daemons/${daemon}`,
    manager.token,
  );
  if (status.state !== "RUNNING") {
    throw new Error(`control-api: ${daemon} is ${status.state} after its restart, not RUNNING`);
  }
  // A restart that did not happen would be a suspiciously fast measurement.
  const stamps = await restartStamps(manager, daemon);
  if (stamps.restarting < before - 1) {
    throw new Error(`control-api: ${daemon} was not restarted (its last restart is older)`);
  }
}

function runCli(session: Session, args: string[], what: string) {
  return runTimed(session, [WARDEN_BIN, ...args], what);
}

async function restartThroughCli(session: Session, daemon: string): Promise<CliSample> {
  const what = `warden restart ${daemon} --config ${session.config}`;
  const run = await runCli(session, ["restart", daemon, "--config", session.config], what);
  await checkRunningAgain(session.manager, daemon, run.at);
  const stamps = await restartStamps(session.manager, daemon);
  return {
    totalMs: run.ms,
    toServerMs: stamps.restarting - run.at,
    serverMs: stamps.started - stamps.restarting,
    afterMs: run.exitAt - stamps.started,
  };
}

async function restartDirectly(manager: Manager, daemon: string): Promise<DirectSample> {
  const at = Date.now();
  const began = performance.now();
  const status = await sendJson<DaemonStatus>(
    "POST",
    `${manager.url}/v1/daemons/${daemon}/restart`,
    manager.token,
  );
  const totalMs = performance.now() - began;
  if (status.state !== "RUNNING") {
    throw new Error(`control-api: POST restart answered ${daemon} ${status.state}, not RUNNING`);
  }
  await checkRunningAgain(manager, daemon, at);
  const stamps = await restartStamps(manager, daemon);
  return { totalMs, serverMs: stamps.started - stamps.restarting };
}

/** Restarts RESTARTED_DAEMON each way, in rotating order, and `--help` alongside. */
export async function measureRestart(
  session: Session,
  options: RestartOptions,
  progress: (message: string) => void,
): Promise<RestartResult> {
  const daemon = RESTARTED_DAEMON;
  const cliSkipped = await whyNoRestartCommand(session.dir);
  if (cliSkipped) progress(`(e) restart: the CLI part is skipped: ${cliSkipped}`);
  const ways = RESTART_WAYS.filter((way) => way !== "cli" || cliSkipped === undefined);
  const samples: RestartResult["samples"] = { cli: [], direct: [], help: [] };
  await inRotation(
    ways,
    { warmups: options.restartWarmups, runs: options.restartRuns },
    async (way, warm) => {
      session.manager.child.checkAlive();
      await delay(SETTLE_MS);
      if (way === "cli") {
        const sample = await restartThroughCli(session, daemon);
        if (!warm) samples.cli.push(sample);
        return `cli ${sample.totalMs.toFixed(0)} ms (${sample.toServerMs} + ${sample.serverMs} + ${sample.afterMs})`;
      }
      if (way === "direct") {
        const sample = await restartDirectly(session.manager, daemon);
        if (!warm) samples.direct.push(sample);
        return `direct ${sample.totalMs.toFixed(1)} ms (server ${sample.serverMs} ms)`;
      }
      const run = await runCli(session, ["--help"], "warden --help");
      if (!warm) samples.help.push(run.ms);
      return `--help ${run.ms.toFixed(0)} ms`;
    },
    (label, measured) => progress(`(e) restart ${label}: ${measured.join(", ")}`),
  );
  const result: RestartResult = {
    daemon,
    runs: options.restartRuns,
    warmups: options.restartWarmups,
    direct: {
      totalMs: median(samples.direct.map((s) => s.totalMs)),
      serverMs: median(samples.direct.map((s) => s.serverMs)),
    },
    helpMs: median(samples.help),
    samples,
  };
  if (cliSkipped) {
    result.cliSkipped = cliSkipped;
  } else {
    result.cli = {
      totalMs: median(samples.cli.map((s) => s.totalMs)),
      toServerMs: median(samples.cli.map((s) => s.toServerMs)),
      serverMs: median(samples.cli.map((s) => s.serverMs)),
      afterMs: median(samples.cli.map((s) => s.afterMs)),
    };
  }
  return result;
}
