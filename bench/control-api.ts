/**
 * Benchmark (e): the control plane. A manager runs in a child process as a user runs it
 * (`node bin/warden.js up --config <temp>/warden.config.ts`) with the 60 daemons of the daemon
 * index: HEALTH_SERVER built in, the other 59 in-process daemons of
 * bench/fixtures/instant-daemon.ts with the index's dependencies, `server: { port: 0 }`. This
 * process finds its URL and token in `<stateDir>/manager.json` and `<stateDir>/token`, then:
 *
 * - load: autocannon (loopback, 10 connections, pipelining 1) against `GET /v1/status` with the
 *   bearer token, `GET /healthz`, and, as a yardstick, a bare `node:http` server in another
 *   child process (bench/fixtures/fixed-json-server.mjs) answering the very bytes of a
 *   `/v1/status` answer; one warm-up per target, then rounds in a rotating order;
 * - restart: `node bin/warden.js restart X --config F` from spawn to exit, split with the
 *   manager's own event stamps into CLI start + request (spawn to `DAEMON_RESTARTING`), the
 *   restart in the manager (`DAEMON_RESTARTING` to `DAEMON_STARTED`) and the answer and exit;
 *   `POST /v1/daemons/X/restart` sent directly; and `node bin/warden.js --help` as the cost of
 *   starting the CLI alone.
 *
 * The children are stopped by pid (SIGTERM, SIGKILL after 10 s) and the temporary folder removed
 * at the end, after an error, and on SIGINT or SIGTERM.
 */
import { spawn, type ChildProcess } from "node:child_process";
import type { EventEmitter } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readToken } from "../runtime/control/api-token.ts";
import { HEALTH_SERVER } from "../runtime/control/control-plane.ts";
import type { DaemonStatus } from "../runtime/manager/daemon-manager.ts";
import type { Envelope, LifecycleEventData } from "../machines/envelope.ts";
import { readManagerInfo } from "../runtime/control/manager-discovery.ts";
import { DAEMON_INDEX } from "./daemon-index-graph.ts";
import { median } from "./stats.ts";

const WARDEN_BIN = fileURLToPath(new URL("../bin/warden.js", import.meta.url));
const DAEMON_MODULE = fileURLToPath(new URL("./fixtures/instant-daemon.ts", import.meta.url));
const BARE_SERVER = fileURLToPath(new URL("./fixtures/fixed-json-server.mjs", import.meta.url));

/** The daemon restarted in (c): a leaf of the index graph (nothing depends on it). */
export const RESTARTED_DAEMON = "S3_BACKUP";
export const CONNECTIONS = 10;
export const PIPELINING = 1;
/** The longest the manager may take to listen with every daemon RUNNING. */
const MANAGER_READY_TIMEOUT_MS = 60_000;
/** The longest one CLI run, request or step may take before the benchmark gives up. */
const STEP_TIMEOUT_MS = 30_000;
/** How long a stopped child has to exit after SIGTERM before it gets SIGKILL. */
const KILL_AFTER_MS = 10_000;
const POLL_MS = 50;
/** A pause between two measurements, so that one's aftermath does not slow the next. */
export const SETTLE_MS = 200;
/** Output kept from each child, for the error message if it fails. */
const TAIL_CHARS = 4_000;

type LoadTarget = "status" | "healthz" | "bare";
const LOAD_TARGETS: readonly LoadTarget[] = ["status", "healthz", "bare"];
type RestartWay = "cli" | "direct" | "help";
const RESTART_WAYS: readonly RestartWay[] = ["cli", "direct", "help"];

export interface ControlApiOptions {
  /** Seconds of each measured load run. */
  seconds: number;
  /** Seconds of the warm-up load run of each target, thrown away. */
  warmupSeconds: number;
  /** Measured load runs per target. */
  runs: number;
  /** Measured restart rounds; each round restarts once through the CLI and once directly. */
  restartRuns: number;
  /** Restart rounds run first and thrown away. */
  restartWarmups: number;
  progress?: (message: string) => void;
}

/** One autocannon run. */
export interface LoadSample {
  /** autocannon's requests per second (the mean of its per-second samples). */
  rps: number;
  /** From autocannon's per-response times (its `response` event), which are sub-millisecond. */
  p50Ms: number;
  p99Ms: number;
  /** autocannon's own latency histogram, which truncates to whole milliseconds. */
  histogramP50Ms: number;
  histogramP99Ms: number;
  requests: number;
}

export interface LoadResult {
  /** Medians over the runs. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  samples: LoadSample[];
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

// autocannon ships no types; these are the parts of its API (README, v8) used here.
interface AutocannonHistogram {
  average: number;
  total: number;
  p50: number;
  p99: number;
}

interface AutocannonResult {
  requests: AutocannonHistogram;
  latency: AutocannonHistogram;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}

interface AutocannonInstance extends EventEmitter {
  stop(): void;
}

type Autocannon = (
  options: {
    url: string;
    connections: number;
    pipelining: number;
    duration: number;
    headers?: Record<string, string>;
  },
  done: (error: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance;

const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

/** A child process whose output is kept (the tail) and which is stopped by its pid. */
class Child {
  private output = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(
    readonly what: string,
    readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString("utf8")).slice(-TAIL_CHARS);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    this.exited = new Promise((resolve) => {
      child.once("error", (error) => {
        keep(Buffer.from(`\n${error.message}\n`));
        this.exit = { code: null, signal: null };
        resolve(this.exit);
      });
      child.once("close", (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  tail(): string {
    return this.output.trim() === "" ? "(no output)" : this.output.trim();
  }

  /** Fails with the child's output when it has exited. */
  checkAlive(): void {
    if (this.exit === undefined) return;
    throw new Error(
      `control-api: ${this.what} exited (${this.exit.code ?? this.exit.signal}); its output:\n${this.tail()}`,
    );
  }

  /** SIGTERM to its pid, SIGKILL after KILL_AFTER_MS; resolves once it has exited. */
  async stop(): Promise<void> {
    const pid = this.child.pid;
    if (this.exit !== undefined || pid === undefined) return;
    signal(pid, "SIGTERM");
    const timer = setTimeout(() => signal(pid, "SIGKILL"), KILL_AFTER_MS);
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    // Gone already: what the signal was for.
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

function spawnNode(what: string, args: string[], cwd: string): Child {
  return new Child(
    what,
    spawn(process.execPath, args, {
      cwd,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
}

/** Resolves after `ms` without keeping the process alive. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

async function poll<T>(
  check: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs: number,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() > deadline) {
      throw new Error(`control-api: timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await delay(POLL_MS);
  }
}

interface Answer {
  status: number;
  body: string;
}

/** One HTTP request on a new connection (as the CLI makes it), bounded by STEP_TIMEOUT_MS. */
function send(method: string, url: string, token?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const request = httpRequest(url, { method, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
      );
      response.on("error", reject);
    });
    request.setTimeout(STEP_TIMEOUT_MS, () =>
      request.destroy(
        new Error(`control-api: ${method} ${url}: no answer in ${STEP_TIMEOUT_MS} ms`),
      ),
    );
    request.on("error", reject);
    request.end();
  });
}

async function sendJson<T>(method: string, url: string, token?: string): Promise<T> {
  const answer = await send(method, url, token);
  if (answer.status !== 200) {
    throw new Error(`control-api: ${method} ${url} answered ${answer.status}: ${answer.body}`);
  }
  return JSON.parse(answer.body) as T;
}

/** The configuration of the manager: the index's daemons but HEALTH_SERVER, which is built in. */
function writeConfig(dir: string): string {
  const daemons = Object.fromEntries(
    DAEMON_INDEX.filter((entry) => entry.type !== HEALTH_SERVER).map((entry) => [
      entry.type,
      {
        module: DAEMON_MODULE,
        description: entry.description,
        ...(entry.dependencies.length > 0 ? { dependsOn: entry.dependencies } : {}),
      },
    ]),
  );
  const config = { stateDir: "state", server: { host: "127.0.0.1", port: 0 }, daemons };
  const file = join(dir, "warden.config.ts");
  writeFileSync(
    file,
    `// The manager of benchmark (e), control-api (bench/control-api.ts).\n` +
      `export default ${JSON.stringify(config, null, 2)};\n`,
  );
  return file;
}

interface Manager {
  child: Child;
  url: string;
  token: string;
}

/** `warden up` in a child process, once its control API answers and every daemon is RUNNING. */
async function startManager(dir: string, config: string): Promise<Manager> {
  const child = spawnNode(
    "the manager (warden up)",
    [WARDEN_BIN, "up", "--config", config, "--no-output", "--log-level", "warn"],
    dir,
  );
  const stateDir = join(dir, "state");
  try {
    const { url, token } = await poll(
      () => {
        child.checkAlive();
        const info = readManagerInfo(stateDir);
        const token = info && readToken(stateDir);
        return info && token ? { url: info.url, token } : undefined;
      },
      "the manager's manager.json and token",
      MANAGER_READY_TIMEOUT_MS,
    );
    await poll(
      async () => {
        child.checkAlive();
        return (await send("GET", `${url}/readyz`)).status === 200 ? true : undefined;
      },
      "every daemon to be RUNNING (GET /readyz)",
      MANAGER_READY_TIMEOUT_MS,
    );
    return { child, url, token };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

/** The bare node:http server answering `body`, once it listens. */
async function startBareServer(dir: string, body: string): Promise<{ child: Child; url: string }> {
  const file = join(dir, "status.json");
  writeFileSync(file, body);
  const child = spawnNode("the bare node:http server", [BARE_SERVER, file], dir);
  try {
    const port = await poll(
      () => {
        child.checkAlive();
        return /^listening (\d+)$/m.exec(child.tail())?.[1];
      },
      "the bare server to listen",
      STEP_TIMEOUT_MS,
    );
    return { child, url: `http://127.0.0.1:${port}/v1/status` };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

/** The nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) throw new Error("percentile of no values");
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface LoadRun {
  url: string;
  headers?: Record<string, string>;
  seconds: number;
}

/**
 * One autocannon run. Any error, timeout or non-2xx answer fails it: a fast refusal is no
 * measurement. `onInstance` gets the running instance (to stop it on SIGINT).
 */
function loadOnce(
  run: LoadRun,
  onInstance: (instance: AutocannonInstance | undefined) => void,
): Promise<LoadSample> {
  return new Promise((resolve, reject) => {
    const times: number[] = [];
    const instance = autocannon(
      {
        url: run.url,
        connections: CONNECTIONS,
        pipelining: PIPELINING,
        duration: run.seconds,
        ...(run.headers ? { headers: run.headers } : {}),
      },
      (error, result) => {
        onInstance(undefined);
        if (error) return reject(error);
        const failures = result.errors + result.timeouts + result.non2xx;
        if (failures > 0 || times.length === 0) {
          return reject(
            new Error(
              `control-api: ${run.url}: ${result.errors} errors, ${result.timeouts} timeouts, ` +
                `${result.non2xx} non-2xx answers (${JSON.stringify(result.statusCodeStats)}) ` +
                `in ${times.length} responses`,
            ),
          );
        }
        const sorted = Float64Array.from(times).sort();
        resolve({
          rps: result.requests.average,
          p50Ms: percentile(sorted, 50),
          p99Ms: percentile(sorted, 99),
          histogramP50Ms: result.latency.p50,
          histogramP99Ms: result.latency.p99,
          requests: result.requests.total,
        });
      },
    );
    instance.on("response", (_client: unknown, _status: number, _bytes: number, ms: number) => {
      times.push(ms);
    });
    onInstance(instance);
  });
}

function summarizeLoad(samples: LoadSample[]): LoadResult {
  return {
    rps: median(samples.map((s) => s.rps)),
    p50Ms: median(samples.map((s) => s.p50Ms)),
    p99Ms: median(samples.map((s) => s.p99Ms)),
    samples,
  };
}

interface Session {
  dir: string;
  config: string;
  manager: Manager;
  bare: { child: Child; url: string };
  cli?: Child;
  cannon?: AutocannonInstance;
}

async function measureLoad(
  session: Session,
  options: ControlApiOptions,
  progress: (message: string) => void,
): Promise<Record<LoadTarget, LoadResult>> {
  const { manager, bare } = session;
  const runs: Record<LoadTarget, Omit<LoadRun, "seconds">> = {
    status: {
      url: `${manager.url}/v1/status`,
      headers: { authorization: `Bearer ${manager.token}` },
    },
    healthz: { url: `${manager.url}/healthz` },
    bare: { url: bare.url },
  };
  const measure = async (target: LoadTarget, seconds: number) => {
    session.manager.child.checkAlive();
    session.bare.child.checkAlive();
    await delay(SETTLE_MS);
    return loadOnce({ ...runs[target], seconds }, (instance) => (session.cannon = instance));
  };
  for (const target of LOAD_TARGETS) {
    const sample = await measure(target, options.warmupSeconds);
    progress(`(e) load warm-up ${target}: ${describe(sample)}`);
  }
  const samples: Record<LoadTarget, LoadSample[]> = { status: [], healthz: [], bare: [] };
  for (let round = 0; round < options.runs; round++) {
    const measured: string[] = [];
    for (let turn = 0; turn < LOAD_TARGETS.length; turn++) {
      const target = LOAD_TARGETS[(round + turn) % LOAD_TARGETS.length]!;
      const sample = await measure(target, options.seconds);
      samples[target].push(sample);
      measured.push(`${target} ${describe(sample)}`);
    }
    progress(`(e) load run ${round + 1}/${options.runs}: ${measured.join("; ")}`);
  }
  return {
    status: summarizeLoad(samples.status),
    healthz: summarizeLoad(samples.healthz),
    bare: summarizeLoad(samples.bare),
  };
}

function describe(sample: LoadSample): string {
  return `${Math.round(sample.rps)} req/s, p50 ${sample.p50Ms.toFixed(2)} ms, p99 ${sample.p99Ms.toFixed(2)} ms`;
}

/**
 * Why the CLI cannot restart yet, or undefined when `warden restart` exists (for an unknown
 * command, `--help` prints the root help and exits 0).
 */
async function whyNoRestartCommand(dir: string): Promise<string | undefined> {
  const child = spawnNode("warden restart --help", [WARDEN_BIN, "restart", "--help"], dir);
  const timer = setTimeout(() => void child.stop(), STEP_TIMEOUT_MS);
  const { code } = await child.exited;
  clearTimeout(timer);
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

async function checkRunningAgain(manager: Manager, daemon: string, before: number): Promise<void> {
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

async function runCli(
  session: Session,
  args: string[],
  what: string,
): Promise<{ at: number; exitAt: number; ms: number }> {
  const at = Date.now();
  const began = performance.now();
  const child = spawnNode(what, [WARDEN_BIN, ...args], session.dir);
  session.cli = child;
  const timer = setTimeout(() => void child.stop(), STEP_TIMEOUT_MS);
  const { code, signal } = await child.exited;
  const ms = performance.now() - began;
  const exitAt = Date.now();
  clearTimeout(timer);
  session.cli = undefined;
  if (code !== 0) {
    throw new Error(
      `control-api: \`${what}\` exited (${code ?? signal}); its output:\n${child.tail()}`,
    );
  }
  return { at, exitAt, ms };
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

async function measureRestart(
  session: Session,
  options: ControlApiOptions,
  progress: (message: string) => void,
): Promise<RestartResult> {
  const daemon = RESTARTED_DAEMON;
  const cliSkipped = await whyNoRestartCommand(session.dir);
  if (cliSkipped) progress(`(e) restart: the CLI part is skipped: ${cliSkipped}`);
  const ways = RESTART_WAYS.filter((way) => way !== "cli" || cliSkipped === undefined);
  const samples: RestartResult["samples"] = { cli: [], direct: [], help: [] };
  const total = options.restartWarmups + options.restartRuns;
  for (let round = 0; round < total; round++) {
    const measured: string[] = [];
    for (let turn = 0; turn < ways.length; turn++) {
      const way = ways[(round + turn) % ways.length]!;
      session.manager.child.checkAlive();
      await delay(SETTLE_MS);
      const warm = round < options.restartWarmups;
      if (way === "cli") {
        const sample = await restartThroughCli(session, daemon);
        measured.push(
          `cli ${sample.totalMs.toFixed(0)} ms (${sample.toServerMs} + ${sample.serverMs} + ${sample.afterMs})`,
        );
        if (!warm) samples.cli.push(sample);
      } else if (way === "direct") {
        const sample = await restartDirectly(session.manager, daemon);
        measured.push(`direct ${sample.totalMs.toFixed(1)} ms (server ${sample.serverMs} ms)`);
        if (!warm) samples.direct.push(sample);
      } else {
        const run = await runCli(session, ["--help"], "warden --help");
        measured.push(`--help ${run.ms.toFixed(0)} ms`);
        if (!warm) samples.help.push(run.ms);
      }
    }
    const label =
      round < options.restartWarmups
        ? "warm-up"
        : `run ${round - options.restartWarmups + 1}/${options.restartRuns}`;
    progress(`(e) restart ${label}: ${measured.join(", ")}`);
  }
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
  // A second signal ends the benchmark at once.
  const onSignal = (signal: NodeJS.Signals) => {
    progress(`(e) ${signal}: stopping the manager and the bare server first`);
    void closeAll().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
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
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await closeAll();
  }
}

function checkStatus(answer: Answer): void {
  if (answer.status !== 200) {
    throw new Error(`control-api: GET /v1/status answered ${answer.status}: ${answer.body}`);
  }
  const { daemons } = JSON.parse(answer.body) as { daemons: DaemonStatus[] };
  const running = daemons.filter((daemon) => daemon.state === "RUNNING").length;
  if (daemons.length !== DAEMON_INDEX.length || running !== daemons.length) {
    throw new Error(
      `control-api: expected ${DAEMON_INDEX.length} daemons RUNNING, the manager has ${running} of ${daemons.length}`,
    );
  }
}
