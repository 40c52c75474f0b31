/** (j)'s rows of the PASS/MISS table: a simulated day, and many seeds of a simulated hour. */
import { TARGETS } from "../plan.ts";
import { CATALOG_DAEMONS, DAY_MS, HOUR_MS, type SimulateResult } from "../simulate.ts";
import { integer, plural } from "./format.ts";
import type { Row } from "./results-table.ts";

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
/** "0.60 s wall (143,349× simulated time)": a wall time and how much faster than real time. */
const timed = (ms: number, simulatedMs: number, what: string) =>
  `${seconds(ms)} ${what} (${integer(simulatedMs / ms)}×)`;

/**
 * The rows of (j); the seeds' target is pro rata when fewer than 1,000 ran (a quick run).
 *
 * @example
 * const [day, seeds] = simulateRows(results.simulate);
 */
export function simulateRows({ day, seeds, violations }: SimulateResult): Row[] {
  const seedsMs = seeds.seeds * HOUR_MS;
  const budgetMs = (TARGETS.thousandSeedsMs * seeds.seeds) / 1000;
  const budget =
    seeds.seeds === 1000
      ? `< ${budgetMs / 1000} s`
      : `< ${budgetMs / 1000} s (${TARGETS.thousandSeedsMs / 1000} s for 1,000)`;
  return [
    {
      benchmark: "(j) one simulated day of the ringrift catalog, default faults (× simulated time)",
      size: `${CATALOG_DAEMONS} daemons, 24 h, ≈ ${integer(day.steps)} steps, ${integer(day.events)} events, ${plural(day.runs, "run")}`,
      warden: timed(day.wallMs, DAY_MS, "wall"),
      baseline: timed(day.cpuMs, DAY_MS, "CPU"),
      target: `≤ ${TARGETS.simulatedDayMs / 1000} s of wall time`,
      pass: day.wallMs <= TARGETS.simulatedDayMs,
    },
    {
      benchmark: "(j) seeds of a simulated hour, invariants checked (× simulated time)",
      size: `${integer(seeds.seeds)} seeds × 1 h, ${seeds.workers} worker processes, ${violations} runs violated an invariant`,
      warden: timed(seeds.wallMs, seedsMs, "wall"),
      baseline: timed(seeds.cpuWallMs, seedsMs, "CPU per worker"),
      target: `${budget} of wall time`,
      pass: seeds.wallMs < budgetMs,
    },
  ];
}
