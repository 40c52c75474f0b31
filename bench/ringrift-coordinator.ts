/**
 * Benchmark (g): the coordinator profile of examples/ringrift, started and stopped as a user
 * does (`node bin/warden.js up --config warden.config.ts --profile coordinator` in a copy of the
 * example, then SIGTERM), against the critical path of its dependency graph at the start (and
 * stop) time each daemon took in that same run.
 *
 * Each run starts from a fresh copy's empty `work/` and `.warden/`. The daemons' times come from
 * the event stream as `warden up` prints it (one line per lifecycle event, stamped by the
 * manager): a daemon's own start is its PENDING → STARTING to its STARTING → RUNNING, its stop
 * RUNNING → STOPPING to STOPPING → STOPPED. The graph is `dependencyGraphOf(configuredDaemons())`
 * of the copy's configuration, `criticalPath` (machines/dependency-graph.ts) with those times.
 * The wall times are the manager's (first STARTING to last RUNNING, first STOPPING to last
 * STOPPED) and this process's (spawn of `warden up` to its "N daemons running" line, SIGTERM to
 * its exit). The example lets two of its four sync daemons wait for a sync slot (SPEC §6a); the
 * copy declares four slots (bench.config.ts, the example's configuration otherwise), so that all
 * 60 start and the figure stays the orchestration's, comparable with earlier runs.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { criticalPath } from "../machines/dependency-graph.ts";
import { CATALOGS } from "../machines/catalog/catalog.ts";
import { profileMembers } from "../machines/catalog/profile-members.ts";
import {
  ALWAYS_RUNNING_BUILT_INS,
  configuredDaemons,
  dependencyGraphOf,
} from "../runtime/catalog/config-daemons.ts";
import { loadConfig } from "../runtime/config/load-config.ts";
import { closingOnSignal } from "./cleanup.ts";
import { spawnNode, type Child } from "./control-api/child.ts";
import { WARDEN_BIN } from "./control-api/settings.ts";
import { median } from "./stats.ts";
import { poll } from "./wait.ts";

export const PROFILE = "coordinator";
const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const EXAMPLE = join(REPO_ROOT, "examples/ringrift");
/** What running the example makes beside its files: not copied. */
const MADE = new Set(["work", ".warden", "__pycache__", "node_modules"]);
/** What `warden up --profile coordinator` starts: HEALTH_SERVER, the built-ins it always runs, the profile. */
const startedByUp = new Set([
  "HEALTH_SERVER",
  ...Object.keys(ALWAYS_RUNNING_BUILT_INS),
  ...profileMembers(PROFILE, CATALOGS.ringrift),
]);
/** The longest a start or a stop of the whole profile may take before the benchmark gives up. */
const PHASE_TIMEOUT_MS = 120_000;
/** Between the last RUNNING and SIGTERM, and between two runs. */
export const SETTLE_MS = 2000;

/** A phase of one run: the wall time against the critical path at the daemons' own times. */
export interface Phase {
  /** The manager's: first STARTING to last RUNNING (or first STOPPING to last STOPPED), ms. */
  wallMs: number;
  /** The graph's critical path with each daemon at its own time in this run, ms. */
  criticalPathMs: number;
  /** The daemons on that path, dependencies first. */
  chain: string[];
  /** What one daemon at a time would take: the sum of the daemons' own times, ms. */
  sumMs: number;
  /** The daemon that took longest, and how long. */
  slowest: { name: string; ms: number };
  /** wallMs / criticalPathMs. */
  ratio: number;
}

export interface CoordinatorSample {
  start: Phase;
  stop: Phase;
  /** This process's clock: spawn of `warden up` to its "N daemons running" line. */
  upMs: number;
  /** Spawn of `warden up` to the manager's first STARTING: the CLI, the configuration, the manager. */
  setupMs: number;
  /** This process's clock: SIGTERM to the exit of `warden up` (code 0). */
  downMs: number;
  /** SIGTERM to the manager's first STOPPING, and its last STOPPED to the exit (ms clocks). */
  signalToStoppingMs: number;
  stoppedToExitMs: number;
}

export interface CoordinatorResult {
  profile: string;
  daemons: number;
  runs: number;
  /** Medians of the samples. */
  startMs: number;
  startCriticalPathMs: number;
  startRatio: number;
  startSumMs: number;
  upMs: number;
  setupMs: number;
  signalToStoppingMs: number;
  stoppedToExitMs: number;
  stopMs: number;
  stopCriticalPathMs: number;
  stopRatio: number;
  stopSumMs: number;
  downMs: number;
  /** The run whose start ratio is the median (for its critical path's daemons). */
  typical: CoordinatorSample;
  samples: CoordinatorSample[];
}

/** One lifecycle line of `warden up`: `12:00:05.120  NAME  FROM → TO …`. */
interface Transition {
  /** Milliseconds since the first line's midnight (the line shows the time of day only). */
  at: number;
  daemon: string;
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;

/** The lifecycle lines of `warden up`'s output, in order. */
export function transitionsOf(stdout: string): Transition[] {
  const lines: Transition[] = [];
  let dayOffset = 0;
  let previous = -1;
  for (const [, h, m, s, ms, daemon, from, to] of stdout.matchAll(
    /^(\d{2}):(\d{2}):(\d{2})\.(\d{3}) {2}(\S+) +([A-Z]+) → ([A-Z]+)\b/gm,
  )) {
    let at = ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1000 + Number(ms) + dayOffset;
    // Past midnight: a clock that jumps back by hours.
    if (previous >= 0 && at < previous - DAY_MS / 2) {
      dayOffset += DAY_MS;
      at += DAY_MS;
    }
    previous = at;
    lines.push({ at, daemon: daemon!, from: from!, to: to! });
  }
  return lines;
}

/** The longest chain of `graph` with `cost` per daemon, dependencies first. */
function longestChain(
  graph: ReadonlyMap<string, readonly string[]>,
  cost: (name: string) => number,
): string[] {
  const finish = new Map<string, { end: number; via?: string }>();
  const visit = (name: string): number => {
    const known = finish.get(name);
    if (known) return known.end;
    let start = 0;
    let via: string | undefined;
    for (const dependency of graph.get(name) ?? []) {
      const end = visit(dependency);
      if (via === undefined || end > start) [start, via] = [end, dependency];
    }
    const end = start + cost(name);
    finish.set(name, { end, ...(via ? { via } : {}) });
    return end;
  };
  let last: string | undefined;
  for (const name of graph.keys()) if (last === undefined || visit(name) > visit(last)) last = name;
  const chain: string[] = [];
  for (let name = last; name !== undefined; name = finish.get(name)?.via) chain.unshift(name);
  return chain;
}

/** A phase from the first `began` transition to the last `ended` one, per daemon and in all. */
function phaseOf(
  lines: Transition[],
  graph: ReadonlyMap<string, readonly string[]>,
  began: (line: Transition) => boolean,
  ended: (line: Transition) => boolean,
  pick: "first" | "last",
): Phase {
  const own = new Map<string, number>();
  const beganAt = new Map<string, number>();
  const endedAt = new Map<string, number>();
  lines = lines.filter((line) => graph.has(line.daemon));
  for (const line of lines) {
    if (began(line) && (pick === "last" || !beganAt.has(line.daemon))) {
      beganAt.set(line.daemon, line.at);
    }
  }
  for (const line of lines) {
    if (!ended(line) || (pick === "first" && own.has(line.daemon))) continue;
    // A daemon that went to STOPPED without STOPPING (it was not running) took no stop time.
    own.set(line.daemon, Math.max(0, line.at - (beganAt.get(line.daemon) ?? line.at)));
    endedAt.set(line.daemon, line.at);
  }
  for (const name of graph.keys()) {
    if (!own.has(name)) throw new Error(`ringrift-coordinator: no ${pick} end seen for ${name}`);
  }
  const cost = (name: string) => own.get(name) ?? 0;
  const criticalPathMs = criticalPath(graph, cost);
  // From the first daemon's beginning to the last daemon's end (a restart later is not counted).
  const wallMs = Math.max(...endedAt.values()) - Math.min(...beganAt.values());
  const [slowestName, slowestMs] = [...own].reduce((a, b) => (b[1] > a[1] ? b : a));
  return {
    wallMs,
    criticalPathMs,
    chain: longestChain(graph, cost),
    sumMs: [...own.values()].reduce((a, b) => a + b, 0),
    slowest: { name: slowestName, ms: slowestMs },
    ratio: wallMs / criticalPathMs,
  };
}

/** The example's files in a fresh temporary folder, with `warden` resolving to this checkout. */
function copyOfExample(): string {
  const dir = mkdtempSync(join(tmpdir(), "warden-bench-ringrift-"));
  cpSync(EXAMPLE, dir, { recursive: true, filter: (path) => !MADE.has(basename(path)) });
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(REPO_ROOT, join(dir, "node_modules", "warden"), "dir");
  writeFileSync(
    join(dir, "bench.config.ts"),
    'import example from "./warden.config.ts";\n' +
      'export default { ...example, resources: { ...example.resources, "sync-slots": 4 } };\n',
  );
  return dir;
}

/** Milliseconds since local midnight of the day the run began, as `warden up` prints them. */
function clockOfDay(epochMs: number, midnight: number): number {
  return epochMs - midnight;
}

/** A pause that keeps this process alive (wait.ts's `delay` does not, and nothing else may). */
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Holder {
  up?: Child;
}

/** One start and stop of the profile in `dir` (its `work/` and `.warden/` removed first). */
async function measureRun(
  dir: string,
  graph: ReadonlyMap<string, readonly string[]>,
  holder: Holder,
): Promise<CoordinatorSample> {
  rmSync(join(dir, "work"), { recursive: true, force: true });
  rmSync(join(dir, ".warden"), { recursive: true, force: true });
  const day = new Date();
  day.setHours(0, 0, 0, 0);
  const midnight = day.getTime();

  const spawnedAt = Date.now();
  const spawned = performance.now();
  const up = spawnNode(
    "warden up --profile coordinator",
    [WARDEN_BIN, "up", "--config", "bench.config.ts", "--profile", PROFILE],
    dir,
  );
  holder.up = up;
  let stdout = "";
  let stderr = "";
  let runningAt: number | undefined;
  up.child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  up.child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
    if (runningAt === undefined && /^warden: \d+ daemons running$/m.test(stderr)) {
      runningAt = performance.now();
    }
  });
  const polling = { label: "ringrift-coordinator", timeoutMs: PHASE_TIMEOUT_MS, everyMs: 20 };
  const alive = () => {
    if (up.exit !== undefined) {
      throw new Error(
        `ringrift-coordinator: warden up exited (${up.exit.code ?? up.exit.signal}):\n${stderr}\n${stdout.slice(-3000)}`,
      );
    }
  };
  const running = () => transitionsOf(stdout).filter((line) => line.to === "RUNNING");
  await poll(
    () => {
      alive();
      const names = new Set(running().map((line) => line.daemon));
      return runningAt !== undefined && [...graph.keys()].every((n) => names.has(n))
        ? true
        : undefined;
    },
    `every daemon of ${PROFILE} RUNNING`,
    polling,
  );
  const upMs = runningAt! - spawned;
  await pause(SETTLE_MS);
  alive();

  const stopping = performance.now();
  const signalledAt = Date.now();
  process.kill(up.child.pid!, "SIGTERM");
  const { code, signal } = await up.exitWithin(PHASE_TIMEOUT_MS);
  const downMs = performance.now() - stopping;
  const exitedAt = Date.now();
  holder.up = undefined;
  if (code !== 0) {
    throw new Error(`ringrift-coordinator: warden up exited (${code ?? signal}):\n${stderr}`);
  }
  const lines = transitionsOf(stdout);
  const started = new Set(lines.filter((l) => l.to === "STARTING").map((l) => l.daemon));
  if (started.size !== graph.size || ![...started].every((name) => graph.has(name))) {
    throw new Error(
      `ringrift-coordinator: warden up started ${started.size} daemons, expected the ${graph.size} of ${PROFILE}`,
    );
  }
  const start = phaseOf(
    lines,
    graph,
    (line) => line.to === "STARTING",
    (line) => line.from === "STARTING" && line.to === "RUNNING",
    "first",
  );
  const stop = phaseOf(
    lines,
    graph,
    (line) => line.to === "STOPPING",
    (line) => line.to === "STOPPED",
    "last",
  );
  const at = (to: string, pick: (...values: number[]) => number) =>
    pick(...lines.filter((line) => line.to === to).map((line) => line.at));
  return {
    start,
    stop,
    upMs,
    setupMs: at("STARTING", Math.min) - clockOfDay(spawnedAt, midnight),
    downMs,
    signalToStoppingMs: at("STOPPING", Math.min) - clockOfDay(signalledAt, midnight),
    stoppedToExitMs: clockOfDay(exitedAt, midnight) - at("STOPPED", Math.max),
  };
}

export interface CoordinatorOptions {
  runs: number;
  progress?: (message: string) => void;
}

/**
 * Runs benchmark (g): one warm-up, then `runs` measured starts and stops; the copy of the example
 * is removed at the end, after an error, and on SIGINT or SIGTERM (which stop `warden up` first).
 */
export async function runRingriftCoordinator(
  options: CoordinatorOptions,
): Promise<CoordinatorResult> {
  const progress = options.progress ?? (() => {});
  const dir = copyOfExample();
  const holder: Holder = {};
  const close = async () => {
    await holder.up?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return closingOnSignal(
    close,
    (signal) => progress(`${signal}: stopping warden up and removing ${dir}`),
    async () => {
      const loaded = await loadConfig(join(dir, "warden.config.ts"));
      const all = dependencyGraphOf(configuredDaemons(loaded.config));
      const graph = new Map([...all].filter(([name]) => startedByUp.has(name)));
      await measureRun(dir, graph, holder); // warm-up
      progress(`ringrift-coordinator: ${graph.size} daemons; warm-up done`);
      const samples: CoordinatorSample[] = [];
      for (let r = 0; r < options.runs; r++) {
        await pause(SETTLE_MS);
        const sample = await measureRun(dir, graph, holder);
        samples.push(sample);
        progress(
          `ringrift-coordinator run ${r + 1}/${options.runs}: start ${sample.start.wallMs} ms ` +
            `(critical path ${sample.start.criticalPathMs} ms, ${sample.start.ratio.toFixed(2)}×; ` +
            `up → all RUNNING ${sample.upMs.toFixed(0)} ms), stop ${sample.stop.wallMs} ms ` +
            `(critical path ${sample.stop.criticalPathMs} ms, ${sample.stop.ratio.toFixed(2)}×; ` +
            `SIGTERM → exit ${sample.downMs.toFixed(0)} ms)`,
        );
      }
      const of = (pick: (s: CoordinatorSample) => number) => median(samples.map(pick));
      const startRatio = of((s) => s.start.ratio);
      return {
        profile: PROFILE,
        daemons: graph.size,
        runs: options.runs,
        startMs: of((s) => s.start.wallMs),
        startCriticalPathMs: of((s) => s.start.criticalPathMs),
        startRatio,
        startSumMs: of((s) => s.start.sumMs),
        upMs: of((s) => s.upMs),
        setupMs: of((s) => s.setupMs),
        signalToStoppingMs: of((s) => s.signalToStoppingMs),
        stoppedToExitMs: of((s) => s.stoppedToExitMs),
        stopMs: of((s) => s.stop.wallMs),
        stopCriticalPathMs: of((s) => s.stop.criticalPathMs),
        stopRatio: of((s) => s.stop.ratio),
        stopSumMs: of((s) => s.stop.sumMs),
        downMs: of((s) => s.downMs),
        typical: [...samples].sort((a, b) => a.start.ratio - b.start.ratio)[samples.length >> 1]!,
        samples,
      };
    },
  );
}
