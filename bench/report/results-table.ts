/** The PASS/MISS table: one row per measured figure against its target, (a) to (d), (f) and (h) to (k). */
import { SUBSCRIBERS, type BusResult } from "../bus-throughput.ts";
import type { CostResult } from "../daemon-cost.ts";
import { TARGETS, type Results } from "../plan.ts";
import type { RestartResult } from "../process-restart.ts";
import { START_MS, type StartupResult } from "../startup-critical-path.ts";
import { clusterRows } from "./cluster-rows.ts";
import { footprintRows } from "./footprint-rows.ts";
import { journalRows } from "./journal-rows.ts";
import { resourcesRows } from "./resources-rows.ts";
import { simulateRows } from "./simulate-rows.ts";
import { events, integer, micros, millis, ratio } from "./format.ts";

export interface Row {
  benchmark: string;
  size: string;
  warden: string;
  baseline: string;
  /** Warden against the baseline; missing for an absolute target (shown as —). */
  ratio?: number;
  target: string;
  pass: boolean;
  /** Shown with its target but not counted: the verdict and `--strict` leave it out. */
  informational?: boolean;
  /** Not measured here (its size says why); shown as SKIPPED, and informational. */
  skipped?: boolean;
}

function costRows(results: readonly CostResult[]): Row[] {
  return results.flatMap((result) => [
    {
      benchmark: "(a) time per daemon",
      size: `${integer(result.size)} daemons`,
      warden: micros(result.warden.usPerDaemon),
      baseline: micros(result.baseline.usPerDaemon),
      ratio: result.timeRatio,
      target: `≤ ${TARGETS.costRatio}×`,
      pass: result.timeRatio <= TARGETS.costRatio,
    },
    {
      benchmark: "(a) heap per daemon",
      size: `${integer(result.size)} daemons`,
      warden: `${integer(result.warden.bytesPerDaemon)} B`,
      baseline: `${integer(result.baseline.bytesPerDaemon)} B`,
      ratio: result.heapRatio,
      target: `≤ ${TARGETS.costRatio}×`,
      pass: result.heapRatio <= TARGETS.costRatio,
    },
  ]);
}

function busRow(result: BusResult): Row {
  return {
    benchmark: "(b) event-bus throughput",
    size: `${integer(result.events)} events, ${SUBSCRIBERS} subscribers`,
    warden: events(result.warden),
    baseline: events(result.baseline),
    ratio: result.ratio,
    target: `≥ ${TARGETS.busRatio}×`,
    pass: result.ratio >= TARGETS.busRatio,
  };
}

function startupRow(result: StartupResult): Row {
  return {
    benchmark: "(c) start the daemon index",
    size: `${result.daemons} daemons × ${START_MS} ms`,
    warden: `${result.wallMs.toFixed(1)} ms`,
    baseline: `${result.criticalPathMs} ms (critical path)`,
    ratio: result.ratio,
    target: `≤ ${TARGETS.startupRatio}×`,
    pass: result.ratio <= TARGETS.startupRatio,
  };
}

function restartRows(result: RestartResult): Row[] {
  const size = `${result.runs} restarts of a Node program`;
  const rows: Row[] = [
    {
      benchmark: "(d) restart a crashed process",
      size,
      warden: millis(result.warden),
      baseline: `${millis(result.bare)} (bare spawn)`,
      ratio: result.bareRatio,
      target: `≤ ${TARGETS.restartRatio}×`,
      pass: result.bareRatio <= TARGETS.restartRatio,
    },
  ];
  if (result.pm2 !== undefined && result.pm2Ratio !== undefined) {
    rows.push({
      benchmark: "(d) restart a crashed process, against pm2",
      size,
      warden: millis(result.warden),
      baseline: `${millis(result.pm2)} (pm2 ${result.pm2Version})`,
      ratio: result.pm2Ratio,
      target: `< ${TARGETS.restartVsPm2}× (faster than pm2)`,
      pass: result.pm2Ratio < TARGETS.restartVsPm2,
    });
  }
  return rows;
}

/** The rows of the benchmarks that ran, in the report's order. */
export function rows(results: Results): Row[] {
  return [
    ...costRows(results.cost ?? []),
    ...(results.bus ? [busRow(results.bus)] : []),
    ...(results.startup ? [startupRow(results.startup)] : []),
    ...(results.restart ? restartRows(results.restart) : []),
    ...(results.footprint ? footprintRows(results.footprint) : []),
    ...(results.journal ? journalRows(results.journal) : []),
    ...(results.resources ? resourcesRows(results.resources) : []),
    ...(results.simulate ? simulateRows(results.simulate) : []),
    ...(results.cluster ? clusterRows(results.cluster) : []),
  ];
}

/** PASS or MISS; — for a figure only recorded (no target), SKIPPED for one not measured. */
const verdictOf = (row: Row) => {
  if (row.skipped) return "SKIPPED";
  if (row.target === "recorded") return "—";
  return row.pass ? "PASS" : "MISS";
};

/** The PASS/MISS table of `rows` (its header alone when there are none). */
export function table(rows: readonly Row[]): string {
  const lines = [
    "| Benchmark | Size | Warden (median) | Baseline (median) | Ratio | Target | Result |",
    "| --- | --- | ---: | ---: | ---: | --- | --- |",
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.benchmark} | ${row.size} | ${row.warden} | ${row.baseline} | ${row.ratio === undefined ? "—" : ratio(row.ratio)} | ${row.target} | ${verdictOf(row)} |`,
    );
  }
  return lines.join("\n");
}
