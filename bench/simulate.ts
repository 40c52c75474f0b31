/**
 * Benchmark (j): `warden simulate` (SPEC §12, issue P11). A simulated day of the 63-daemon
 * ringrift catalog under the default fault mix (target ≤ 2 s of wall time on a 2-core machine),
 * and seeds of a simulated hour split over as many worker processes as there are cores, up to 2
 * (target: 1,000 of them in under a minute). Beside the wall time it gives the CPU time the runs
 * took (user + system, of this process or of the workers): on a machine shared with other work,
 * that is what the run would take alone. Run alone with `npm run bench -- --only simulate`
 * (`npm run bench:simulate`).
 */
import { availableParallelism } from "node:os";
import { validateConfig } from "../runtime/config/validate-config.ts";
import { DEFAULT_FAULTS } from "../runtime/simulate/fault-spec.ts";
import { runSimulation } from "../runtime/simulate/run-simulation.ts";
import { seedsWorker } from "./simulate-worker.ts";
import { median } from "./stats.ts";

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
/** The daemons of the ringrift catalog, which every run simulates. */
export const CATALOG_DAEMONS = 63;

export interface DayRun {
  wallMs: number;
  cpuMs: number;
  steps: number;
  events: number;
  violations: number;
}

export interface SimulateResult {
  /** Medians over `runs` simulated days (after a warm-up day), and every run. */
  day: { runs: number; wallMs: number; cpuMs: number; steps: number; events: number };
  days: DayRun[];
  /** `seeds` seeds of a simulated hour over `workers` processes, each process's start included. */
  seeds: {
    seeds: number;
    workers: number;
    wallMs: number;
    /** The workers' CPU time spread over them: their wall time on an otherwise idle machine. */
    cpuWallMs: number;
  };
  /** Runs (days and seeds) that violated an invariant. */
  violations: number;
}

export interface SimulateOptions {
  days: number;
  seeds: number;
  /** Worker processes for the seeds; default the cores, up to 2. */
  workers?: number;
  progress?: (message: string) => void;
}

/**
 * Measures the simulated days, then the seeds.
 *
 * @example
 * const { day, seeds } = await runSimulate({ days: 5, seeds: 1_000 });
 */
export async function runSimulate(options: SimulateOptions): Promise<SimulateResult> {
  const workers = options.workers ?? Math.min(2, availableParallelism());
  await day(0); // warm-up: JIT and module loading
  const days: DayRun[] = [];
  for (let i = 1; i <= options.days; i++) {
    days.push(await day(i));
    options.progress?.(`simulated day ${i}/${options.days}: ${days.at(-1)!.wallMs.toFixed(0)} ms`);
  }
  const many = await manySeeds(options.seeds, workers);
  options.progress?.(
    `${options.seeds} seeds of an hour: ${(many.wallMs / 1000).toFixed(1)} s on ${workers} workers`,
  );
  return {
    day: {
      runs: days.length,
      wallMs: median(days.map((r) => r.wallMs)),
      cpuMs: median(days.map((r) => r.cpuMs)),
      steps: median(days.map((r) => r.steps)),
      events: median(days.map((r) => r.events)),
    },
    days,
    seeds: { seeds: options.seeds, workers, wallMs: many.wallMs, cpuWallMs: many.cpuMs / workers },
    violations: days.reduce((sum, r) => sum + r.violations, 0) + many.failures,
  };
}

/** One simulated day of the whole catalog: its wall and CPU time, steps and events. */
async function day(seed: number): Promise<DayRun> {
  const config = validateConfig({ catalog: "ringrift", daemons: {} }, "--catalog ringrift");
  const cpu = process.cpuUsage();
  const startedAt = performance.now();
  const result = await runSimulation({
    config,
    selection: {},
    seed,
    durationMs: DAY_MS,
    faults: DEFAULT_FAULTS,
    inputs: { catalog: "ringrift", duration: "24h" },
  });
  const used = process.cpuUsage(cpu);
  return {
    wallMs: performance.now() - startedAt,
    cpuMs: (used.user + used.system) / 1000,
    steps: result.steps,
    events: result.events,
    violations: result.invariants.violations.length,
  };
}

/** `seeds` seeds of a simulated hour over `workers` processes. */
async function manySeeds(
  seeds: number,
  workers: number,
): Promise<{ wallMs: number; cpuMs: number; failures: number }> {
  const startedAt = performance.now();
  const per = Math.ceil(seeds / workers);
  const results = await Promise.all(
    Array.from({ length: workers }, (_, i) => {
      const from = 1 + i * per;
      const to = Math.min(seeds, from + per - 1);
      return seedsWorker(`${from}-${to}`, ["--duration", "1h"]);
    }),
  );
  return {
    wallMs: performance.now() - startedAt,
    cpuMs: results.reduce((sum, r) => sum + r.cpuMs, 0),
    failures: results.reduce((sum, r) => sum + r.failures.length, 0),
  };
}
