/** The text of BENCHMARKS.md: what ran and how, the tables, every run, notes and findings. */
import { BENCHMARKS, REPORT_FILE, type Plan, type Results } from "../plan.ts";
import type { Machine } from "../machine.ts";
import { controlTables } from "./control-tables.ts";
import { descriptions } from "./descriptions.ts";
import { details } from "./every-run.ts";
import { FINDINGS } from "./findings.ts";
import { integer, plural, ratio } from "./format.ts";
import { notes } from "./notes.ts";
import { ringriftTable } from "./ringrift-table.ts";
import { table, type Row } from "./results-table.ts";

/** "5 for 1,000 daemons, …; 11 for the bus; …" for the benchmarks that ran. */
function runCounts(plan: Plan, results: Results): string {
  const counts: string[] = [];
  if (results.cost) {
    counts.push(
      plan.sizes.map((size) => `${plan.repeats(size)} for ${integer(size)} daemons`).join(", "),
    );
  }
  if (results.bus) counts.push(`${plan.busRepeats} for the bus`);
  if (results.startup) counts.push(`${plan.startupRepeats} for the start`);
  if (results.restart) counts.push(`${plan.restartRuns} restarts of each contender for (d)`);
  if (results.control) {
    counts.push(
      `${plan.controlRuns} load runs per target and ${plan.controlRestartRuns} restarts of each kind for (e)`,
    );
  }
  if (results.footprint) counts.push(`${plan.footprintRuns} runs of each command for (f)`);
  if (results.ringrift) counts.push(`${plan.ringriftRuns} starts and stops for (g)`);
  if (results.journal) {
    counts.push(
      `${plan.journalRepeats} throughput runs each way, ${plan.crossProcessRuns} cross-process runs and ${plan.recoveryRuns} manager kills for (h)`,
    );
  }
  if (results.resources) {
    counts.push(
      `${plan.resourcesStartRuns} starts each way and ${plan.memoryReactionRuns} limit crossings of each kind for (i)`,
    );
  }
  if (results.simulate) {
    counts.push(
      `${plural(plan.simulateDays, "simulated day")} and one run of ${integer(plan.simulateSeeds)} seeds for (j)`,
    );
  }
  if (results.cluster && !results.cluster.skipped) {
    counts.push(
      `${integer(plan.clusterLatencyEvents)} events one at a time each way, ${plan.clusterRestarts} restarts of each kind and ${plural(plan.clusterFailovers, "failover")} for (k)`,
    );
  }
  return counts.join("; ");
}

/** "Missed: …" or "Every target is met.", and the informational rows that missed, if any. */
function verdict(rows: readonly Row[]): string {
  const describe = (row: Row) =>
    `${row.benchmark} (${row.size}: ${row.ratio === undefined ? row.warden : ratio(row.ratio)} against ${row.target})`;
  const misses = rows.filter((row) => !row.pass && !row.informational);
  const asides = rows.filter((row) => !row.pass && row.informational);
  const counted =
    misses.length === 0 ? "Every target is met." : `Missed: ${misses.map(describe).join("; ")}.`;
  if (asides.length === 0) return counted;
  return `${counted} Informational, not counted: ${asides.map(describe).join("; ")}.`;
}

/** The whole of BENCHMARKS.md, before `tidy` lays it out. */
export function report(
  info: Machine,
  plan: Plan,
  rows: readonly Row[],
  results: Results,
  seconds: number,
): string {
  // (e) and (g) have no target, so a run of them alone has no PASS/MISS table.
  const sections = [
    rows.length > 0 ? `${table(rows)}\n\n${verdict(rows)}` : undefined,
    results.control ? controlTables(results.control) : undefined,
    results.ringrift ? ringriftTable(results.ringrift) : undefined,
  ]
    .filter((section) => section !== undefined)
    .map((section) => `${section}\n\n`)
    .join("");
  return `# Benchmarks

\`npm run bench\` measures, in one run, what warden's supervision costs against the bare tools it
is built on and against pm2, and checks each against its target:

${descriptions(plan, results)}

Every figure is the median of several runs (${runCounts(plan, results)}), after a warm-up; warden
and its baseline alternate run by run${results.footprint?.idle ? " ((f)'s memory and CPU figures are one reading each, taken side by side)" : ""}. Run \`npm run bench -- --quick\` for a smoke run with small
sizes (it prints the table and leaves this file alone; \`--out FILE\` writes the report elsewhere),
and \`npm run bench -- --only process-restart\` (or any of ${BENCHMARKS.map((name) => `\`${name}\``).join(", ")}) for some of them.

## Results

- Command: ${info.command}
- Date: ${info.date}
- Machine: \`node --version\` ${info.node}, \`nproc\` ${info.nproc}, ${info.cpu}, ${info.memory} RAM, load average at start ${info.load}
- Whole run: ${seconds.toFixed(0)} s

${sections}### Every run

${details(results)}

${notes(results)}${FINDINGS}`;
}

/** The report laid out by Prettier (aligned tables), as `npm run format` would. */
export async function tidy(markdown: string): Promise<string> {
  try {
    const prettier = await import("prettier");
    const options = await prettier.resolveConfig(REPORT_FILE);
    return await prettier.format(markdown, { ...options, parser: "markdown" });
  } catch {
    return markdown;
  }
}
