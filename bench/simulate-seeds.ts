/**
 * Runs `warden simulate`'s engine over a list of seeds (the ringrift catalog, the default fault
 * mix unless told) and reports the seeds whose run violated an invariant. Used by
 * bench/simulate.ts (1,000 seeds of a simulated hour, split over worker processes) and by
 * bench/simulate-soak.ts; run alone it prints one JSON line:
 *
 *   node --import tsx bench/simulate-seeds.ts --seeds 1-500 --duration 1h [--faults SPEC]
 *        [--config F] [--profile P]
 */
import { pathToFileURL } from "node:url";
import { parseFaults } from "../runtime/simulate/fault-spec.ts";
import { runSimulation } from "../runtime/simulate/run-simulation.ts";
import { durationText, parseDuration } from "../runtime/simulate/sim-duration.ts";
import { simulationSource } from "../runtime/simulate/simulation-source.ts";

export interface SeedFailure {
  seed: number;
  invariant: string;
  at: number;
  message: string;
}

export interface SeedsResult {
  runs: number;
  failures: SeedFailure[];
  /** Wall milliseconds for all the runs. */
  wallMs: number;
  /** CPU milliseconds (user + system) of this process for all the runs. */
  cpuMs: number;
  /** Simulated milliseconds in all. */
  simulatedMs: number;
}

/** What each seed runs: as `warden simulate`'s flags. */
export interface SeedsRun {
  duration: string;
  faults?: string | undefined;
  /** A configuration file; default the ringrift catalog. */
  config?: string | undefined;
  profile?: string | undefined;
}

/**
 * Runs every seed in turn.
 *
 * @example
 * const { failures } = await runSeeds([1, 2, 3], { duration: "1h" });
 */
export async function runSeeds(seeds: readonly number[], run: SeedsRun): Promise<SeedsResult> {
  const source = await simulationSource(
    run.config === undefined ? { catalog: "ringrift" } : { config: run.config },
    process.cwd(),
  );
  const durationMs = parseDuration(run.duration);
  const rates = parseFaults(run.faults);
  const selection = run.profile === undefined ? {} : { profile: run.profile };
  const failures: SeedFailure[] = [];
  const cpu = process.cpuUsage();
  const startedAt = performance.now();
  for (const seed of seeds) {
    const result = await runSimulation({
      config: source.config,
      selection,
      seed,
      durationMs,
      faults: rates,
      inputs: { catalog: "ringrift", duration: durationText(durationMs) },
    });
    const first = result.invariants.violations[0];
    if (first)
      failures.push({ seed, invariant: first.invariant, at: first.at, message: first.message });
  }
  const used = process.cpuUsage(cpu);
  return {
    runs: seeds.length,
    failures,
    wallMs: performance.now() - startedAt,
    cpuMs: (used.user + used.system) / 1000,
    simulatedMs: durationMs * seeds.length,
  };
}

/** "1-500" or "3,8,13": the seeds. */
export function parseSeeds(text: string): number[] {
  return text.split(",").flatMap((part) => {
    const [from, to] = part.split("-").map(Number);
    if (to === undefined) return [from!];
    return Array.from({ length: to - from! + 1 }, (_, i) => from! + i);
  });
}

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await runSeeds(parseSeeds(option("--seeds") ?? "1-10"), {
    duration: option("--duration") ?? "1h",
    faults: option("--faults"),
    config: option("--config"),
    profile: option("--profile"),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
