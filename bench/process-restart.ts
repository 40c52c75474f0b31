/**
 * Benchmark (d): restarting a crashed process. bench/fixtures/crash-on-signal.mjs prints `ready`
 * as its first stdout line and exits with code 1 on SIGUSR2, stamping both moments with its own
 * wall clock (`performance.timeOrigin + performance.now()`) in a file. Three contenders take
 * turns, in an order that rotates round by round so that machine noise hits them alike:
 *
 * - warden supervises it as a process daemon (`ready: { stdout: "^ready$" }`, `restart:
 *   "always"`, zero backoff): from the child's crash stamp to the manager's `DAEMON_STARTED` of
 *   the next instance, stamped on arrival with the same clock;
 * - a bare `child_process.spawn` of the program, the baseline: from the `spawn()` call to the
 *   `data` event carrying `ready`;
 * - pm2 6 (`autorestart: true`, `restart_delay: 0`), installed on demand into a cache folder
 *   outside the repository and run with its own PM2_HOME: from the child's crash stamp to the
 *   next instance's own ready stamp, since pm2 has no readiness signal to observe.
 */
import { execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { filter, firstValueFrom, map, timeout } from "rxjs";
import { DaemonManager } from "../runtime/manager/daemon-manager.ts";
import { median } from "./stats.ts";

const FIXTURE = fileURLToPath(new URL("./fixtures/crash-on-signal.mjs", import.meta.url));
/** Where pm2 is installed once and reused: outside the repository and its node_modules. */
export const PM2_CACHE = join(tmpdir(), "warden-bench-pm2");
const PM2_RANGE = "pm2@6";
const DAEMON = "crasher";
/** The longest any one step may take before the benchmark gives up with an error. */
const STEP_TIMEOUT_MS = 15_000;
const POLL_MS = 2;
/** A pause between two measurements, so that one contender's aftermath does not slow the next. */
export const SETTLE_MS = 100;

const run = promisify(execFile);

/** A wall-clock time in ms with sub-ms resolution, comparable across processes. */
const wallClock = () => performance.timeOrigin + performance.now();

type ContenderName = "warden" | "bare" | "pm2";

export interface RestartOptions {
  /** Measured rounds; each round measures every contender once. */
  runs: number;
  /** Rounds run first and thrown away. */
  warmups: number;
  /** Measure pm2 too (installing it on demand). */
  pm2: boolean;
  progress?: (message: string) => void;
}

export interface RestartResult {
  runs: number;
  warmups: number;
  /** Medians, ms; `pm2` is missing when it was not measured. */
  warden: number;
  bare: number;
  pm2?: number;
  /** warden / bare. */
  bareRatio: number;
  /** warden / pm2. */
  pm2Ratio?: number;
  /** The pm2 version measured, or why pm2 was not. */
  pm2Version?: string;
  pm2Skipped?: string;
  /** Median from the child's crash stamp to warden's `DAEMON_RESTARTING`: noticing the crash. */
  wardenNoticed: number;
  /** Every run, ms, in order. */
  samples: { warden: number[]; bare: number[]; pm2: number[]; wardenNoticed: number[] };
}

interface Measurement {
  /** Crash to ready (spawn to ready for the bare spawn), ms. */
  ms: number;
  /** warden only: crash to `DAEMON_RESTARTING`, ms. */
  noticedMs?: number;
}

interface Contender {
  name: ContenderName;
  measure(): Promise<Measurement>;
  close(): Promise<void>;
}

interface Stamp {
  kind: "ready" | "crash";
  pid: number;
  at: number;
}

/** The stamps a fixture process appends to one file, read back as they come. */
class StampFile {
  constructor(readonly path: string) {
    writeFileSync(path, "");
  }

  read(): Stamp[] {
    return readFileSync(this.path, "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => {
        const [kind, pid, at] = line.split(" ");
        if ((kind !== "ready" && kind !== "crash") || !pid || !at) {
          throw new Error(`${this.path}: malformed stamp line "${line}"`);
        }
        return { kind, pid: Number(pid), at: Number(at) };
      });
  }

  /** The first stamp at index `from` or later that matches. */
  next(what: string, match: (stamp: Stamp) => boolean, from = 0): Promise<Stamp> {
    return poll(() => this.read().slice(from).find(match), what);
  }
}

async function poll<T>(check: () => T | undefined, what: string): Promise<T> {
  const deadline = performance.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (performance.now() > deadline) {
      throw new Error(`process-restart: timed out after ${STEP_TIMEOUT_MS} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Resolves after `ms` without keeping the process alive. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function crash(pid: number | undefined, who: string): number {
  if (pid === undefined || !Number.isInteger(pid) || pid <= 1) {
    throw new Error(`process-restart: ${who} has no running instance to crash (pid ${pid})`);
  }
  process.kill(pid, "SIGUSR2");
  return pid;
}

/** The baseline: a bare spawn of the program, until its first stdout line arrives. */
function bareContender(stamps: StampFile): Contender {
  const measure = async (): Promise<Measurement> => {
    const began = wallClock();
    const child = spawn(process.execPath, [FIXTURE], {
      env: { ...process.env, BENCH_STAMPS: stamps.path },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
    try {
      const readyAt = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(`process-restart: bare spawn printed nothing in ${STEP_TIMEOUT_MS} ms`),
            ),
          STEP_TIMEOUT_MS,
        );
        child.stdout.on("data", (chunk: Buffer) => {
          const at = wallClock();
          if (!chunk.toString("utf8").includes("ready")) return;
          clearTimeout(timer);
          resolve(at);
        });
        child.once("error", (error) => {
          clearTimeout(timer);
          reject(error);
        });
        child.once("exit", (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`process-restart: bare spawn exited (${code ?? signal}) before ready`));
        });
      });
      return { ms: readyAt - began };
    } finally {
      child.kill("SIGTERM");
      await Promise.race([exited, delay(STEP_TIMEOUT_MS)]);
    }
  };
  return { name: "bare", measure, close: async () => {} };
}

/** warden supervising the program as a process daemon with zero backoff. */
async function wardenContender(stamps: StampFile, stateDir: string): Promise<Contender> {
  const manager = new DaemonManager({ stateDir, captureEscapedErrors: false });
  manager.register(
    DAEMON,
    {
      command: process.execPath,
      args: [FIXTURE],
      env: { BENCH_STAMPS: stamps.path },
      ready: { stdout: "^ready$" },
    },
    {
      restart: "always",
      backoff: { initialMs: 0, maxMs: 0, factor: 1 },
      // Hundreds of restarts a minute is the point here, not a crash loop to stop.
      maxRestarts: 1_000_000,
      startTimeoutMs: STEP_TIMEOUT_MS,
    },
  );
  try {
    await manager.start(DAEMON);
  } catch (error) {
    await manager.close();
    throw error;
  }
  const arrival = (type: string) =>
    firstValueFrom(
      manager.events$.pipe(
        filter((e) => e.type === type && (e.data as { daemon?: string }).daemon === DAEMON),
        map(() => wallClock()),
        timeout({ first: STEP_TIMEOUT_MS }),
      ),
    );
  const measure = async (): Promise<Measurement> => {
    const restarting = arrival("DAEMON_RESTARTING");
    const started = arrival("DAEMON_STARTED");
    // Both are awaited below; these only keep a rejection after an earlier failure quiet.
    restarting.catch(() => {});
    started.catch(() => {});
    const pid = crash(manager.statusOf(DAEMON).process?.pid, "warden's daemon");
    const readyAt = await started.catch((error: unknown) => {
      const state = manager.statusOf(DAEMON).state;
      throw new Error(`process-restart: warden did not restart pid ${pid} (now ${state})`, {
        cause: error,
      });
    });
    const crashed = await stamps.next(`the crash stamp of pid ${pid}`, (s) => isCrashOf(s, pid));
    if (manager.statusOf(DAEMON).process?.pid === pid) {
      throw new Error(`process-restart: warden reported DAEMON_STARTED for the crashed pid ${pid}`);
    }
    return { ms: readyAt - crashed.at, noticedMs: (await restarting) - crashed.at };
  };
  return { name: "warden", measure, close: () => manager.close() };
}

const isCrashOf = (stamp: Stamp, pid: number) => stamp.kind === "crash" && stamp.pid === pid;

interface Pm2Install {
  bin: string;
  version: string;
}

function cachedPm2(): Pm2Install | undefined {
  const root = join(PM2_CACHE, "node_modules", "pm2");
  try {
    const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      version?: string;
    };
    if (!version?.startsWith("6.")) return undefined;
    return { bin: join(root, "bin", "pm2"), version };
  } catch {
    return undefined;
  }
}

/** pm2 from the cache, installed there first if need be; a string says why there is none. */
async function preparePm2(progress: (message: string) => void): Promise<Pm2Install | string> {
  const cached = cachedPm2();
  if (cached) return cached;
  try {
    await run("npm", ["view", PM2_RANGE, "version"], { timeout: 60_000 });
  } catch (error) {
    return `the npm registry is not reachable (\`npm view ${PM2_RANGE} version\`: ${firstLine(error)})`;
  }
  progress(`(d) installing ${PM2_RANGE} into ${PM2_CACHE} (once; later runs reuse it)`);
  try {
    mkdirSync(PM2_CACHE, { recursive: true });
    await run("npm", ["install", "--prefix", PM2_CACHE, "--no-audit", "--no-fund", PM2_RANGE], {
      timeout: 300_000,
    });
  } catch (error) {
    return `\`npm install --prefix ${PM2_CACHE} ${PM2_RANGE}\` failed: ${firstLine(error)}`;
  }
  return cachedPm2() ?? `\`npm install ${PM2_RANGE}\` left no pm2 6 in ${PM2_CACHE}`;
}

function firstLine(error: unknown): string {
  const stderr = (error as { stderr?: string }).stderr?.trim();
  const text = stderr || (error instanceof Error ? error.message : String(error));
  return text.split("\n").find((line) => !line.startsWith("npm warn")) ?? text;
}

/** pm2 with a PM2_HOME of its own, restarting the program on exit without delay. */
async function pm2Contender(pm2: Pm2Install, stamps: StampFile, home: string): Promise<Contender> {
  const env = { ...process.env, PM2_HOME: home };
  const pm2Cli = (...args: string[]) =>
    run(process.execPath, [pm2.bin, ...args], { env, timeout: 60_000 });
  const apps = join(home, "apps.json");
  mkdirSync(home, { recursive: true });
  writeFileSync(
    apps,
    JSON.stringify({
      apps: [
        {
          name: DAEMON,
          script: FIXTURE,
          interpreter: process.execPath,
          exec_mode: "fork",
          autorestart: true,
          restart_delay: 0,
          // No unstable-restart limit: every instance here lives well under pm2's 1 s min_uptime.
          min_uptime: 0,
          max_restarts: 1_000_000,
          env: { BENCH_STAMPS: stamps.path },
        },
      ],
    }),
  );
  const close = async () => {
    try {
      await pm2Cli("kill");
    } catch {
      killPm2Daemon(home);
    }
  };
  try {
    await pm2Cli("start", apps);
    await stamps.next("pm2's first instance to be ready", (s) => s.kind === "ready");
  } catch (error) {
    await close();
    throw error;
  }
  const measure = async (): Promise<Measurement> => {
    const seen = stamps.read();
    const current = seen.findLast((s) => s.kind === "ready");
    const pid = crash(current?.pid, "pm2's app");
    const crashed = await stamps.next(`the crash stamp of pid ${pid}`, (s) => isCrashOf(s, pid));
    const next = await stamps.next(
      `pm2 to restart pid ${pid}`,
      (s) => s.kind === "ready" && s.pid !== pid,
      seen.length,
    );
    return { ms: next.at - crashed.at };
  };
  return { name: "pm2", measure, close };
}

/** The last resort when `pm2 kill` failed: the daemon we started, by the pid it recorded. */
function killPm2Daemon(home: string): void {
  try {
    const pid = Number(readFileSync(join(home, "pm2.pid"), "utf8").trim());
    if (Number.isInteger(pid) && pid > 1) process.kill(pid, "SIGKILL");
  } catch {
    // No pid file, or the daemon is gone already: nothing is left to stop.
  }
}

/**
 * Runs benchmark (d): `warmups` then `runs` rounds, each crashing warden's and pm2's instance
 * once and spawning the program bare once, in rotating order.
 *
 * @example
 * const result = await runProcessRestart({ runs: 20, warmups: 2, pm2: true });
 * console.log(`${result.warden.toFixed(1)} ms, ${result.bareRatio.toFixed(2)}× a bare spawn`);
 */
export async function runProcessRestart(options: RestartOptions): Promise<RestartResult> {
  const progress = options.progress ?? (() => {});
  const pm2 = options.pm2 ? await preparePm2(progress) : "left out with --no-pm2";
  if (typeof pm2 === "string") progress(`(d) pm2 not measured: ${pm2}`);
  const work = mkdtempSync(join(tmpdir(), "warden-bench-restart-"));
  const contenders: Contender[] = [];
  let closing: Promise<void> | undefined;
  const closeAll = () =>
    (closing ??= (async () => {
      const closed = await Promise.allSettled(contenders.map((contender) => contender.close()));
      rmSync(work, { recursive: true, force: true });
      const failed = closed.find((outcome) => outcome.status === "rejected");
      if (failed) throw failed.reason;
    })());
  // Interrupted, the pm2 daemon and warden's daemon (in a process group of its own) would
  // outlive the benchmark: stop them first. A second signal ends the benchmark at once.
  const onSignal = (signal: NodeJS.Signals) => {
    progress(`(d) ${signal}: stopping warden's daemon and pm2 first`);
    void closeAll().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    contenders.push(bareContender(new StampFile(join(work, "bare.stamps"))));
    contenders.push(
      await wardenContender(new StampFile(join(work, "warden.stamps")), join(work, "state")),
    );
    if (typeof pm2 !== "string") {
      contenders.push(
        await pm2Contender(pm2, new StampFile(join(work, "pm2.stamps")), join(work, "pm2")),
      );
    }
    const samples = await rounds(contenders, options, progress);
    return summarize(samples, options, pm2);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await closeAll();
  }
}

async function rounds(
  contenders: readonly Contender[],
  options: RestartOptions,
  progress: (message: string) => void,
): Promise<RestartResult["samples"]> {
  const samples: RestartResult["samples"] = { warden: [], bare: [], pm2: [], wardenNoticed: [] };
  const total = options.warmups + options.runs;
  for (let round = 0; round < total; round++) {
    const measured: string[] = [];
    for (let turn = 0; turn < contenders.length; turn++) {
      const contender = contenders[(round + turn) % contenders.length]!;
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      const { ms, noticedMs } = await contender.measure();
      measured.push(`${contender.name} ${ms.toFixed(1)} ms`);
      if (round < options.warmups) continue;
      samples[contender.name].push(ms);
      if (noticedMs !== undefined) samples.wardenNoticed.push(noticedMs);
    }
    const label =
      round < options.warmups ? "warm-up" : `run ${round - options.warmups + 1}/${options.runs}`;
    progress(`(d) restart ${label}: ${measured.join(", ")}`);
  }
  return samples;
}

function summarize(
  samples: RestartResult["samples"],
  options: RestartOptions,
  pm2: Pm2Install | string,
): RestartResult {
  const warden = median(samples.warden);
  const bare = median(samples.bare);
  const result: RestartResult = {
    runs: options.runs,
    warmups: options.warmups,
    warden,
    bare,
    bareRatio: warden / bare,
    wardenNoticed: median(samples.wardenNoticed),
    samples,
  };
  if (typeof pm2 === "string") {
    result.pm2Skipped = pm2;
  } else {
    result.pm2 = median(samples.pm2);
    result.pm2Ratio = warden / result.pm2;
    result.pm2Version = pm2.version;
  }
  return result;
}
