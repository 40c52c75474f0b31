/**
 * The human report of `warden simulate`: the timeline, a table of the daemons that had trouble
 * (restarts, failures, downtime, share of time in each state), the fault counts and the verdict
 * of the invariants.
 */
import type { DaemonStats } from "../../runtime/simulate/daemon-stats.ts";
import { INVARIANTS } from "../../runtime/simulate/invariants.ts";
import type { SimulationResult } from "../../runtime/simulate/run-simulation.ts";
import { formatOffset, formatSpan } from "../../runtime/simulate/sim-duration.ts";
import { paint } from "../style.ts";

/** Timeline lines shown before "… N more". */
const TIMELINE_LINES = 300;
/** Daemons listed in the table, the most troubled first. */
const TABLE_ROWS = 25;

/**
 * Every line of the report.
 *
 * @example
 * for (const line of reportLines(result, { color: false, wallMs: 812 })) io.out(line);
 */
export function reportLines(
  result: SimulationResult,
  options: { color: boolean; wallMs: number },
): string[] {
  const { color } = options;
  const lines: string[] = [];
  if (result.timeline) {
    lines.push(paint(color, "bold", "Timeline"), ...result.timeline.lines(TIMELINE_LINES), "");
  }
  lines.push(paint(color, "bold", "Daemons"), ...daemonTable(result.stats, result.durationMs), "");
  const faults = Object.entries(result.faults)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(", ");
  lines.push(`faults injected: ${faults}`);
  lines.push(
    `restarts: ${result.restarts} (a daemon's own and its dependents'), failed: ${result.failed}, events: ${result.events}`,
  );
  if (result.escalatedBy !== undefined) {
    lines.push(
      paint(
        color,
        "yellow",
        `escalated: ${result.escalatedBy} is critical and FAILED; the manager shut everything down`,
      ),
    );
  }
  const { checked, violations } = result.invariants;
  const names = Object.keys(INVARIANTS).length;
  if (violations.length === 0) {
    lines.push(
      paint(color, "green", `invariants: ${names} invariants, ${checked} checks, no violation`),
    );
  } else {
    lines.push(
      paint(color, "red", `invariants: ${violations.length} violation(s) in ${checked} checks`),
    );
    for (const v of violations.slice(0, 10)) lines.push(`  ${violationText(v, result.seed)}`);
  }
  lines.push(`digest: ${result.digest}`);
  const ratio = result.durationMs / Math.max(1, options.wallMs);
  lines.push(
    paint(
      color,
      "dim",
      `${formatSpan(result.durationMs)} simulated in ${formatSpan(options.wallMs)} of wall time (${Math.round(ratio).toLocaleString("en-US")}×), ${result.steps} steps, seed ${result.seed}`,
    ),
  );
  return lines;
}

/** One violation, naming the invariant, the simulated time and the seed. */
export function violationText(
  violation: { invariant: string; at: number; message: string },
  seed: number,
): string {
  return `${violation.invariant} violated at ${formatOffset(violation.at)} (seed ${seed}): ${violation.message}`;
}

function daemonTable(stats: ReadonlyMap<string, DaemonStats>, durationMs: number): string[] {
  const rows = [...stats]
    .filter(([, s]) => s.restarts > 0 || s.failures > 0 || s.downMs > 0)
    .sort(([a, x], [b, y]) => y.downMs - x.downMs || y.restarts - x.restarts || a.localeCompare(b));
  const quiet = stats.size - rows.length;
  if (rows.length === 0) return [`all ${stats.size} daemons ran without a break`];
  const width = Math.max(6, ...rows.map(([name]) => name.length));
  const percent = (ms: number) => `${((100 * ms) / Math.max(1, durationMs)).toFixed(2)}%`;
  const lines = [
    `${"DAEMON".padEnd(width)}  RESTARTS  OWN  FAILED  FORCED  DOWN        LONGEST     RUNNING   TIME IN OTHER STATES`,
  ];
  for (const [name, s] of rows.slice(0, TABLE_ROWS)) {
    lines.push(
      [
        name.padEnd(width),
        String(s.restarts).padStart(8),
        String(s.countedRestarts).padStart(3),
        String(s.failures).padStart(6),
        String(s.forcedStops).padStart(6),
        formatSpan(s.downMs).padEnd(10),
        formatSpan(s.longestDownMs).padEnd(10),
        percent(s.states.RUNNING).padStart(8),
        otherStates(s),
      ].join("  "),
    );
  }
  if (rows.length > TABLE_ROWS) lines.push(`… ${rows.length - TABLE_ROWS} more with restarts`);
  lines.push(`${quiet} other daemons ran without a break`);
  return lines;
}

/** The states other than RUNNING a daemon spent time in, the longest first: "RESTARTING 8m 14s, STARTING 2.1 s". */
function otherStates(stats: DaemonStats): string {
  return Object.entries(stats.states)
    .filter(([state, ms]) => state !== "RUNNING" && ms > 0)
    .sort(([, a], [, b]) => b - a)
    .slice(0, 3)
    .map(([state, ms]) => `${state} ${formatSpan(ms)}`)
    .join(", ");
}
