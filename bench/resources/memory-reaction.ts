/**
 * Benchmark (i), part 2: how soon a process daemon over `limits.memoryMb` is restarted. The
 * daemon (bench/resources/grower.mjs) grows to just under the limit, writes `crossing <ms>` and
 * at once goes over; the reaction is the manager's `DAEMON_RESTARTING` (reason `memory`) `time`
 * minus that stamp, both wall-clock milliseconds of this machine. Two sides:
 *
 * - `sampler`: cgroups switched off (`redetectCgroups` with no support), so warden's sampler
 *   (actors/memory-sampler.ts, every DEFAULTS.memorySampleMs) is what notices. The daemon waits a
 *   different pause before each crossing, spread over one cadence, so that the crossings fall at
 *   every phase of the sampler's tick;
 * - `kernel`: where the manager may create cgroups, the daemon's cgroup carries the limit and the
 *   kernel kills it; the sampler is set to once a minute so that only the kernel can act (the
 *   daemon's resident set, which counts the Node binary's file pages, is over the limit before
 *   its cgroup's charge is). Its baseline, the kernel alone without warden, is
 *   bench/resources/bare-kernel.ts.
 *
 * Each run has a manager of its own on a fresh state directory: the cgroup detection is read when
 * a manager makes its tree, once per state directory.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { filter, firstValueFrom, map, throwError, timeout, type Observable } from "rxjs";
import { cgroupSupport, redetectCgroups, type CgroupSupport } from "../../actors/cgroup-support.ts";
import { DEFAULTS } from "../../machines/defaults.ts";
import type { Envelope } from "../../machines/envelope.ts";
import { DaemonManager } from "../../runtime/manager/daemon-manager.ts";
import { closingOnSignal } from "../cleanup.ts";
import { inRotation } from "../rotation.ts";
import { bareKernel } from "./bare-kernel.ts";
import { announce, GROWER, LIMIT_MB, parseCrossing, type ReactionSample } from "./crossing.ts";
import { median } from "../stats.ts";
import { delay } from "../wait.ts";

const DAEMON = "grower";
/** The sampler's cadence on the kernel side: once a minute, after every run is over. */
export const KERNEL_SIDE_SAMPLE_MS = 60_000;
/** The kernel side's pause before the crossing (the kernel does not tick). */
const KERNEL_PAUSE_MS = 100;
/** From `start()` to the restart, at most. */
const RUN_TIMEOUT_MS = 20_000;
/** From the restart to the crossing line, at most (the line may come after the exit). */
const LINE_TIMEOUT_MS = 2_000;

/** The cgroup detection that switches cgroups off: the sampler alone. */
export const NO_CGROUPS: CgroupSupport = {
  version: "none",
  delegated: false,
  enforced: false,
  reason: "switched off by benchmark (i)",
};

export type ReactionSide = "sampler" | "kernel";

/**
 * The pause before the `run`-th crossing (1-based): the fractional parts of run × the golden
 * ratio spread over one cadence, evenly for any number of runs.
 */
export function spreadPause(run: number, cadenceMs: number): number {
  return Math.floor(((run * 0.618_033_988_75) % 1) * cadenceMs);
}

function first<T>(source: Observable<T>, ms: number, what: string): Promise<T> {
  return firstValueFrom(
    source.pipe(
      timeout({
        first: ms,
        with: () => throwError(() => new Error(`resources: no ${what} within ${ms} ms`)),
      }),
    ),
  );
}

/** Where the daemons' cgroups go, for the grower to find its own. */
function cgroupParent(support: CgroupSupport): string {
  const parents = support.parents;
  if (!parents) throw new Error(`resources: no cgroup parent (${support.reason})`);
  return "unified" in parents ? parents.unified : parents.memory;
}

/** One crossing of the limit, on a manager of its own that is closed after, whatever happens. */
export async function measureReaction(
  side: ReactionSide,
  pauseMs: number,
): Promise<ReactionSample> {
  redetectCgroups(side === "sampler" ? NO_CGROUPS : undefined);
  const stateDir = mkdtempSync(join(tmpdir(), "warden-bench-resources-"));
  let manager: DaemonManager;
  try {
    manager = new DaemonManager({
      stateDir,
      captureEscapedErrors: false,
      // The restart after the one measured waits 15 s: the manager is closed long before.
      random: () => 0.5,
      ...(side === "kernel" ? { memorySampleMs: KERNEL_SIDE_SAMPLE_MS } : {}),
    });
  } catch (error) {
    rmSync(stateDir, { recursive: true, force: true });
    redetectCgroups();
    throw error;
  }
  const close = async () => {
    await manager.close();
    rmSync(stateDir, { recursive: true, force: true });
    redetectCgroups();
  };
  return closingOnSignal(close, announce, async () => {
    const measureBy = side === "kernel" ? ["cgroup", cgroupParent(cgroupSupport())] : ["rss"];
    const lines = manager.output$.pipe(
      filter((line) => line.daemon === DAEMON && line.stream === "stdout"),
      map((line) => parseCrossing(line.line)),
      filter((at): at is number => at !== undefined),
    );
    // The first value or none: awaited once the restart is in, for LINE_TIMEOUT_MS at most.
    const crossing = firstValueFrom(lines, { defaultValue: undefined });
    const restarting = first(
      manager.events$.pipe(
        filter(
          (event): event is Envelope<{ daemon: string; reason?: string; error?: string }> =>
            event.type === "DAEMON_RESTARTING" &&
            (event.data as { daemon?: string }).daemon === DAEMON,
        ),
      ),
      RUN_TIMEOUT_MS,
      "DAEMON_RESTARTING",
    );
    restarting.catch(() => {});
    manager.register(
      DAEMON,
      {
        command: process.execPath,
        args: [GROWER, String(LIMIT_MB), String(pauseMs), ...measureBy],
        limits: { memoryMb: LIMIT_MB },
      },
      { restart: "always", backoff: { initialMs: 30_000, maxMs: 30_000, factor: 1 } },
    );
    await manager.start(DAEMON);
    const event = await restarting;
    const { reason, error = "" } = event.data;
    const at = await Promise.race([crossing, delay(LINE_TIMEOUT_MS)]);
    if (at === undefined) {
      throw new Error(
        `resources: ${side}: restarted before the crossing line (${reason}: ${error})`,
      );
    }
    const expected = side === "kernel" ? /^killed by the kernel: memory/ : /^memory /;
    if (reason !== "memory" || !expected.test(error)) {
      throw new Error(`resources: ${side}: restarted for ${reason} (${error})`);
    }
    return { ms: event.time - at, pauseMs, error };
  });
}

/** Median, smallest and largest of one side's reactions, ms. */
export interface ReactionSummary {
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Every measured run, in order. */
  samples: ReactionSample[];
}

export interface MemoryReactionResult {
  limitMb: number;
  /** The sampler's cadence on the sampler side (the default), ms. */
  sampleMs: number;
  runs: number;
  warmups: number;
  sampler: ReactionSummary;
  /** Missing where the manager may not create cgroups; `kernelSkipped` says why. */
  kernel?: ReactionSummary;
  kernelSkipped?: string;
  /** The kernel side's baseline: the same grower in a cgroup made by this process, no warden. */
  bare?: ReactionSummary;
  bareSkipped?: string;
}

export interface MemoryReactionOptions {
  runs: number;
  warmups: number;
  progress?: (message: string) => void;
}

type Contender = "sampler" | "kernel" | "bare";

function summary(samples: ReactionSample[]): ReactionSummary {
  const ms = samples.map((sample) => sample.ms);
  return { medianMs: median(ms), minMs: Math.min(...ms), maxMs: Math.max(...ms), samples };
}

/**
 * Both sides, alternating run by run: the sampler's, and where cgroups are enforced the kernel's
 * with its bare baseline. A bare baseline the kernel refuses is left out, saying why.
 */
export async function runMemoryReaction(
  options: MemoryReactionOptions,
): Promise<MemoryReactionResult> {
  redetectCgroups();
  const support = cgroupSupport();
  const progress = options.progress ?? (() => {});
  if (!support.enforced) progress(`(i) no kernel side: ${support.reason}`);
  const bare = support.enforced ? bareKernel(support, LIMIT_MB) : "no cgroups";
  let bareSkipped = typeof bare === "string" ? bare : undefined;
  const contenders: Contender[] = support.enforced ? ["sampler", "kernel", "bare"] : ["sampler"];
  const samples: Record<Contender, ReactionSample[]> = { sampler: [], kernel: [], bare: [] };
  let samplerRun = 0;
  const measure = async (contender: Contender): Promise<ReactionSample | undefined> => {
    if (contender === "sampler") {
      return measureReaction("sampler", spreadPause(++samplerRun, DEFAULTS.memorySampleMs));
    }
    if (contender === "kernel") return measureReaction("kernel", KERNEL_PAUSE_MS);
    if (typeof bare === "string" || bareSkipped !== undefined) return undefined;
    try {
      return await bare.measure(KERNEL_PAUSE_MS);
    } catch (error) {
      bareSkipped = error instanceof Error ? error.message : String(error);
      progress(`(i) the bare kernel baseline is left out: ${bareSkipped}`);
      return undefined;
    }
  };
  await inRotation(
    contenders,
    options,
    async (contender, warm) => {
      const sample = await measure(contender);
      if (!sample) return `${contender} —`;
      if (!warm) samples[contender].push(sample);
      return `${contender} ${sample.ms} ms (pause ${sample.pauseMs} ms)`;
    },
    (label, measured) => progress(`(i) memory limit ${label}: ${measured.join(", ")}`),
  );
  const result: MemoryReactionResult = {
    limitMb: LIMIT_MB,
    sampleMs: DEFAULTS.memorySampleMs,
    runs: options.runs,
    warmups: options.warmups,
    sampler: summary(samples.sampler),
  };
  if (!support.enforced) return { ...result, kernelSkipped: support.reason };
  result.kernel = summary(samples.kernel);
  if (bareSkipped === undefined && samples.bare.length > 0) result.bare = summary(samples.bare);
  else result.bareSkipped = bareSkipped ?? "not measured";
  return result;
}
