/**
 * Runs every benchmark in one process, prints a Markdown table of the medians and rewrites
 * BENCHMARKS.md.
 *
 *   npm run bench                 full run (≈ 12 minutes on 2 cores), rewrites BENCHMARKS.md
 *   npm run bench -- --quick      smoke run with small sizes; prints the table, writes nothing
 *   npm run bench -- --only process-restart   one benchmark (or several, comma-separated);
 *                                 prints the table, writes nothing unless --out is given
 *   options: --out FILE (write the report there), --no-write, --strict (exit 1 on a MISS),
 *            --no-pm2 (benchmarks (d) and (f) leave pm2 out and install nothing)
 *
 * Progress goes to stderr, the results table to stdout.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { runBusThroughput } from "./bus-throughput.ts";
import { runCliFootprint } from "./cli-footprint.ts";
import { runCluster } from "./cluster.ts";
import { runControlApi } from "./control-api.ts";
import { runDaemonCost } from "./daemon-cost.ts";
import { machine } from "./machine.ts";
import { BENCHMARKS, FULL, QUICK, REPORT_FILE, type BenchmarkName, type Results } from "./plan.ts";
import { runProcessRestart } from "./process-restart.ts";
import { runRingriftCoordinator } from "./ringrift-coordinator.ts";
import { runJournal } from "./journal.ts";
import { runResources } from "./resources.ts";
import { runSimulate } from "./simulate.ts";
import { controlTables } from "./report/control-tables.ts";
import { integer } from "./report/format.ts";
import { report, tidy } from "./report/report.ts";
import { rows, table } from "./report/results-table.ts";
import { ringriftTable } from "./report/ringrift-table.ts";
import { collectGarbage } from "./stats.ts";
import { runStartupCriticalPath } from "./startup-critical-path.ts";
import { suggestion } from "../machines/closest-name.ts";

function parseArgs(argv: readonly string[]) {
  const quick = argv.includes("--quick");
  const outAt = argv.indexOf("--out");
  const out = outAt >= 0 ? argv[outAt + 1] : undefined;
  if (outAt >= 0 && !out) throw new Error("--out needs a file name");
  const only = parseOnly(argv);
  // A partial run must not overwrite the full report unless asked to.
  const write = !argv.includes("--no-write") && (out !== undefined || (!quick && !only));
  return {
    quick,
    only,
    pm2: !argv.includes("--no-pm2"),
    strict: argv.includes("--strict"),
    out: write ? path.resolve(out ?? REPORT_FILE) : undefined,
  };
}

/** `--only a,b`: the benchmarks to run; undefined runs them all. */
function parseOnly(argv: readonly string[]): ReadonlySet<BenchmarkName> | undefined {
  const at = argv.indexOf("--only");
  if (at < 0) return undefined;
  const list = argv[at + 1];
  if (!list || list.startsWith("--")) {
    throw new Error(`--only needs a benchmark name: one of ${BENCHMARKS.join(", ")}`);
  }
  const names = new Set<BenchmarkName>();
  for (const name of list.split(",").map((part) => part.trim())) {
    if (!(BENCHMARKS as readonly string[]).includes(name)) {
      throw new Error(
        `--only: unknown benchmark "${name}"${suggestion(name, BENCHMARKS)}; expected one of ${BENCHMARKS.join(", ")}`,
      );
    }
    names.add(name as BenchmarkName);
  }
  return names;
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
    return;
  }
  const plan = args.quick ? QUICK : FULL;
  const info = machine(args);
  const wanted = (name: BenchmarkName) => !args.only || args.only.has(name);
  const began = performance.now();
  const progress = (message: string) => {
    const elapsed = ((performance.now() - began) / 1000).toFixed(0).padStart(4);
    process.stderr.write(`[${elapsed} s] ${message}\n`);
  };
  collectGarbage(); // fails early without --expose-gc

  const results: Results = {};
  if (wanted("bus-throughput")) {
    progress(`(b) event bus: ${integer(plan.busEvents)} events × ${plan.busRepeats}`);
    results.bus = runBusThroughput({ events: plan.busEvents, repeats: plan.busRepeats, progress });
  }
  if (wanted("startup-critical-path")) {
    progress(`(c) startup of the daemon index × ${plan.startupRepeats}`);
    results.startup = await runStartupCriticalPath({ repeats: plan.startupRepeats, progress });
  }
  // Before (a): spawning from a process that has held a 100,000-daemon heap is slower.
  if (wanted("process-restart")) {
    progress(
      `(d) process restart: ${plan.restartRuns} rounds after ${plan.restartWarmups} warm-up`,
    );
    results.restart = await runProcessRestart({
      runs: plan.restartRuns,
      warmups: plan.restartWarmups,
      pm2: args.pm2,
      progress,
    });
  }
  if (wanted("control-api")) {
    progress(
      `(e) control API: ${plan.controlRuns} × ${plan.controlSeconds} s of load per target, ${plan.controlRestartRuns} restart rounds after ${plan.controlRestartWarmups} warm-up`,
    );
    results.control = await runControlApi({
      seconds: plan.controlSeconds,
      warmupSeconds: plan.controlWarmupSeconds,
      runs: plan.controlRuns,
      restartRuns: plan.controlRestartRuns,
      restartWarmups: plan.controlRestartWarmups,
      progress,
    });
  }
  // Also before (a), for the same reason: it spawns a manager, pm2 and the CLI.
  if (wanted("cli-footprint")) {
    progress(
      `(f) CLI and footprint: ${plan.footprintIdleSeconds} s idle, ${plan.footprintRuns} rounds of CLI commands after ${plan.footprintWarmups} warm-up`,
    );
    results.footprint = await runCliFootprint({
      idleSeconds: plan.footprintIdleSeconds,
      runs: plan.footprintRuns,
      warmups: plan.footprintWarmups,
      pm2: args.pm2,
      progress,
    });
  }
  // Also before (a): it spawns the CLI and some 50 processes, ten times over.
  if (wanted("ringrift-coordinator")) {
    progress(
      `(g) the ringrift coordinator profile: ${plan.ringriftRuns} starts and stops after 1 warm-up`,
    );
    results.ringrift = await runRingriftCoordinator({ runs: plan.ringriftRuns, progress });
  }
  if (wanted("journal")) {
    progress(
      `(h) the journal: ${plan.journalRepeats} × ${integer(plan.journalEvents)} events each way, ` +
        `${plan.crossProcessRuns} cross-process runs, ${plan.recoveryRuns} manager kills`,
    );
    results.journal = await runJournal({
      events: plan.journalEvents,
      repeats: plan.journalRepeats,
      latencyEvents: plan.journalLatencyEvents,
      crossProcessEvents: plan.crossProcessEvents,
      crossProcessRuns: plan.crossProcessRuns,
      recoveryRuns: plan.recoveryRuns,
      progress,
    });
  }
  // Also before (a): it spawns a Node process per limit crossing.
  if (wanted("resources")) {
    progress(
      `(i) resources: ${plan.resourcesStartRuns} starts of the daemon index each way, ` +
        `${plan.memoryReactionRuns} limit crossings of each kind, after warm-ups`,
    );
    results.resources = await runResources({
      startRuns: plan.resourcesStartRuns,
      startWarmups: plan.resourcesStartWarmups,
      memoryRuns: plan.memoryReactionRuns,
      memoryWarmups: plan.memoryReactionWarmups,
      progress,
    });
  }
  // Also before (a): it spawns worker processes for the seeds.
  if (wanted("simulate")) {
    progress(
      `(j) warden simulate: ${plan.simulateDays} simulated days after a warm-up, ${integer(plan.simulateSeeds)} seeds of an hour`,
    );
    results.simulate = await runSimulate({
      days: plan.simulateDays,
      seeds: plan.simulateSeeds,
      progress,
    });
  }
  // Also before (a): it spawns nats-server and a receiving process for each side.
  if (wanted("cluster")) {
    progress(
      `(k) cluster: ${integer(plan.clusterLatencyEvents)} events one at a time each way, ${plan.clusterRestarts} restarts of each kind, failovers: ${plan.clusterFailovers}`,
    );
    results.cluster = await runCluster({
      latencyEvents: plan.clusterLatencyEvents,
      burstEvents: plan.clusterBurstEvents,
      restarts: plan.clusterRestarts,
      failovers: plan.clusterFailovers,
    });
    if (results.cluster.skipped) progress(`(k) skipped: ${results.cluster.reason}`);
  }
  if (wanted("daemon-cost")) {
    progress(`(a) cost per daemon: ${plan.sizes.map(integer).join(", ")} daemons`);
    results.cost = await runDaemonCost({ sizes: plan.sizes, repeats: plan.repeats, progress });
  }

  const seconds = (performance.now() - began) / 1000;
  const all = rows(results);
  if (all.length > 0 || (!results.control && !results.ringrift)) {
    process.stdout.write(`${table(all)}\n`);
  }
  if (results.control) process.stdout.write(`\n${controlTables(results.control)}\n`);
  if (results.ringrift) process.stdout.write(`\n${ringriftTable(results.ringrift)}\n`);
  if (args.out) {
    writeFileSync(args.out, await tidy(report(info, plan, all, results, seconds)));
    progress(`wrote ${path.relative(process.cwd(), args.out) || args.out}`);
  }
  progress(`done in ${seconds.toFixed(0)} s`);
  if (args.strict && all.some((row) => !row.pass && !row.informational)) process.exitCode = 1;
}

await main();
