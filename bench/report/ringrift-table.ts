/** (g)'s table: the coordinator profile's start and stop against the critical path of its graph. */
import type { CoordinatorResult } from "../ringrift-coordinator.ts";
import { median } from "../stats.ts";
import { integer, ratio } from "./format.ts";

const ms = (n: number) => `${integer(n)} ms`;

/** The Markdown table of (g): medians of the runs; each ratio is the median of the runs' ratios. */
export function ringriftTable(result: CoordinatorResult): string {
  const { samples } = result;
  const over = (pick: (s: (typeof samples)[number]) => number) => median(samples.map(pick));
  const row = (what: string, wall: number, path: number, r: number, sum: number) =>
    `| ${what} | ${ms(wall)} | ${ms(path)} | ${ratio(r)} | ${ms(sum)} |`;
  return [
    `| (g) The \`${result.profile}\` profile of examples/ringrift, ${result.daemons} daemons | Wall time (median) | Critical path at the daemons' own times (median) | Ratio (median) | Sum of the daemons' own times (median) |`,
    "| --- | ---: | ---: | ---: | ---: |",
    row(
      "start: the manager's first `DAEMON_STARTING` to its last `DAEMON_STARTED`",
      result.startMs,
      result.startCriticalPathMs,
      result.startRatio,
      result.startSumMs,
    ),
    row(
      `start: \`warden up --profile ${result.profile}\` spawned to its \`${result.daemons} daemons running\` line`,
      result.upMs,
      result.startCriticalPathMs,
      over((s) => s.upMs / s.start.criticalPathMs),
      result.startSumMs,
    ),
    row(
      "stop: the manager's first `DAEMON_STOPPING` to its last `DAEMON_STOPPED`",
      result.stopMs,
      result.stopCriticalPathMs,
      result.stopRatio,
      result.stopSumMs,
    ),
    row(
      "stop: SIGTERM to the exit of `warden up` (code 0)",
      result.downMs,
      result.stopCriticalPathMs,
      over((s) => s.downMs / s.stop.criticalPathMs),
      result.stopSumMs,
    ),
  ].join("\n");
}
