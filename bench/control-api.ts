/**
 * Benchmark (e): the control plane. A manager runs in a child process as a user runs it
 * (`node bin/warden.js up --config <temp>/warden.config.ts`) with the 60 daemons of the daemon
 * index: HEALTH_SERVER built in, the other 59 in-process daemons of
 * bench/fixtures/instant-daemon.ts with the index's dependencies, `server: { port: 0 }`. This
 * process finds its URL and token in `<stateDir>/manager.json` and `<stateDir>/token`
 * (control-api/server.ts), then:
 *
 * - load: autocannon (loopback, 10 connections, pipelining 1) against `GET /v1/status` with the
 *   bearer token, `GET /healthz`, and, as a yardstick, a bare `node:http` server in another
 *   child process (bench/fixtures/fixed-json-server.mjs) answering the very bytes of a
 *   `/v1/status` answer; one warm-up per target, then rounds in a rotating order
 *   (control-api/load.ts, control-api/autocannon.ts);
 * - restart: `node bin/warden.js restart X --config F` from spawn to exit, split with the
 *   manager's own event stamps into CLI start + request (spawn to `DAEMON_RESTARTING`), the
 *   restart in the manager (`DAEMON_RESTARTING` to `DAEMON_STARTED`) and the answer and exit;
 *   `POST /v1/daemons/X/restart` sent directly; and `node bin/warden.js --help` as the cost of
 *   starting the CLI alone (control-api/restart.ts).
 *
 * The children are stopped by pid (SIGTERM, SIGKILL after 10 s) and the temporary folder removed
 * at the end, after an error, and on SIGINT or SIGTERM.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closingOnSignal } from "./cleanup.ts";
import { send } from "./control-api/http.ts";
import { measureLoad, type LoadOptions, type LoadResult } from "./control-api/load.ts";
import { measureRestart, type RestartOptions, type RestartResult } from "./control-api/restart.ts";
import {
  checkStatus,
  startBareServer,
  startManager,
  writeConfig,
  type Session,
} from "./control-api/server.ts";
import { CONNECTIONS, PIPELINING } from "./control-api/settings.ts";
import { DAEMON_INDEX } from "./daemon-index-graph.ts";

export type { LoadSample } from "./control-api/autocannon.ts";
export type { LoadResult } from "./control-api/load.ts";
export type { CliSample, DirectSample, RestartResult } from "./control-api/restart.ts";
export { CONNECTIONS, PIPELINING, RESTARTED_DAEMON, SETTLE_MS } from "./control-api/settings.ts";

export interface ControlApiOptions extends LoadOptions, RestartOptions {
  progress?: (message: string) => void;
}

export interface ControlApiResult {
  daemons: number;
  connections: number;
  pipelining: number;
  seconds: number;
  warmupSeconds: number;
  runs: number;
  /** Body sizes in bytes. */
  statusBytes: number;
  healthzBytes: number;
  status: LoadResult;
  healthz: LoadResult;
  bare: LoadResult;
  restart: RestartResult;
}

/**
 * Runs benchmark (e) and stops everything it started, whatever happens.
 *
 * @example
 * const result = await runControlApi({ seconds: 5, warmupSeconds: 1, runs: 3,
 *   restartRuns: 10, restartWarmups: 2, progress: console.error });
 * result.status.rps; // GET /v1/status requests per second against 60 daemons
 */
export async function runControlApi(options: ControlApiOptions): Promise<ControlApiResult> {
  const progress = options.progress ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), "warden-bench-control-"));
  const started: Partial<Session> & { dir: string } = { dir };
  const closeAll = async () => {
    started.cannon?.stop();
    await Promise.all([
      started.cli?.stop(),
      started.manager?.child.stop(),
      started.bare?.child.stop(),
    ]);
    rmSync(dir, { recursive: true, force: true });
  };
  const announce = (signal: NodeJS.Signals) =>
    progress(`(e) ${signal}: stopping the manager and the bare server first`);
  return closingOnSignal(closeAll, announce, async () => {
    started.config = writeConfig(dir);
    progress(`(e) starting the manager: warden up with ${DAEMON_INDEX.length} daemons`);
    started.manager = await startManager(dir, started.config);
    const status = await send("GET", `${started.manager.url}/v1/status`, started.manager.token);
    const healthz = await send("GET", `${started.manager.url}/healthz`);
    checkStatus(status);
    started.bare = await startBareServer(dir, status.body);
    const session = started as Session;
    const load = await measureLoad(session, options, progress);
    const restart = await measureRestart(session, options, progress);
    return {
      daemons: DAEMON_INDEX.length,
      connections: CONNECTIONS,
      pipelining: PIPELINING,
      seconds: options.seconds,
      warmupSeconds: options.warmupSeconds,
      runs: options.runs,
      statusBytes: Buffer.byteLength(status.body),
      healthzBytes: Buffer.byteLength(healthz.body),
      ...load,
      restart,
    };
  });
}
