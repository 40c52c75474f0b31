/**
 * Benchmark (d): restarting a crashed process. bench/fixtures/crash-on-signal.mjs prints `ready`
 * as its first stdout line and exits with code 1 on SIGUSR2, stamping both moments with its own
 * wall clock (`performance.timeOrigin + performance.now()`) in a file. Three contenders take
 * turns, in an order that rotates round by round so that machine noise hits them alike:
 *
 * - warden supervises it as a process daemon (`ready: { stdout: "^ready$" }`, `restart:
 *   "always"`, zero backoff): from the child's crash stamp to the manager's `DAEMON_STARTED` of
 *   the next instance, stamped on arrival with the same clock (process-restart/warden.ts);
 * - a bare `child_process.spawn` of the program, the baseline: from the `spawn()` call to the
 *   `data` event carrying `ready` (process-restart/bare.ts);
 * - pm2 6 (`autorestart: true`, `restart_delay: 0`), installed on demand into a cache folder
 *   outside the repository and run with its own PM2_HOME: from the child's crash stamp to the
 *   next instance's own ready stamp, since pm2 has no readiness signal to observe
 *   (process-restart/pm2.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closingOnSignal } from "./cleanup.ts";
import { bareContender } from "./process-restart/bare.ts";
import { StampFile, type Contender } from "./process-restart/contender.ts";
import { pm2Contender, preparePm2, type Pm2Install } from "./process-restart/pm2.ts";
import { wardenContender } from "./process-restart/warden.ts";
import { inRotation } from "./rotation.ts";
import { median } from "./stats.ts";
import { delay } from "./wait.ts";

export { PM2_CACHE } from "./process-restart/pm2.ts";

/** A pause between two measurements, so that one contender's aftermath does not slow the next. */
export const SETTLE_MS = 100;

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
  const closeAll = async () => {
    const closed = await Promise.allSettled(contenders.map((contender) => contender.close()));
    rmSync(work, { recursive: true, force: true });
    const failed = closed.find((outcome) => outcome.status === "rejected");
    if (failed) throw failed.reason;
  };
  // Interrupted, the pm2 daemon and warden's daemon (in a process group of its own) would
  // outlive the benchmark: stop them first.
  const announce = (signal: NodeJS.Signals) =>
    progress(`(d) ${signal}: stopping warden's daemon and pm2 first`);
  return closingOnSignal(closeAll, announce, async () => {
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
  });
}

async function rounds(
  contenders: readonly Contender[],
  options: RestartOptions,
  progress: (message: string) => void,
): Promise<RestartResult["samples"]> {
  const samples: RestartResult["samples"] = { warden: [], bare: [], pm2: [], wardenNoticed: [] };
  await inRotation(
    contenders,
    options,
    async (contender, warm) => {
      await delay(SETTLE_MS);
      const { ms, noticedMs } = await contender.measure();
      if (!warm) {
        samples[contender.name].push(ms);
        if (noticedMs !== undefined) samples.wardenNoticed.push(noticedMs);
      }
      return `${contender.name} ${ms.toFixed(1)} ms`;
    },
    (label, measured) => progress(`(d) restart ${label}: ${measured.join(", ")}`),
  );
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
