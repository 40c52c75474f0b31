/**
 * Runs every benchmark in one process, prints a Markdown table of the medians and rewrites
 * BENCHMARKS.md.
 *
 *   npm run bench                 full run (≈ 10 minutes on 2 cores), rewrites BENCHMARKS.md
 *   npm run bench -- --quick      smoke run with small sizes; prints the table, writes nothing
 *   options: --out FILE (write the report there), --no-write, --strict (exit 1 on a MISS)
 *
 * Progress goes to stderr, the results table to stdout.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runBusThroughput, SUBSCRIBERS, type BusResult } from "./bus-throughput.ts";
import { runDaemonCost, type CostResult, type CostSample } from "./daemon-cost.ts";
import { collectGarbage } from "./stats.ts";
import { runStartupCriticalPath, START_MS, type StartupResult } from "./startup-critical-path.ts";

interface Plan {
  sizes: number[];
  repeats: (size: number) => number;
  busEvents: number;
  busRepeats: number;
  startupRepeats: number;
}

const FULL: Plan = {
  sizes: [1_000, 10_000, 100_000],
  repeats: (size) => (size >= 100_000 ? 3 : 5),
  busEvents: 1_000_000,
  busRepeats: 11,
  startupRepeats: 11,
};

const QUICK: Plan = {
  sizes: [100, 1_000],
  repeats: (size) => (size >= 1_000 ? 3 : 5),
  busEvents: 100_000,
  busRepeats: 5,
  startupRepeats: 5,
};

export const TARGETS = { costRatio: 3, busRatio: 0.5, startupRatio: 1.1 } as const;

interface Row {
  benchmark: string;
  size: string;
  warden: string;
  baseline: string;
  ratio: number;
  target: string;
  pass: boolean;
}

interface Machine {
  date: string;
  command: string;
  node: string;
  nproc: string;
  cpu: string;
  memory: string;
  load: string;
}

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function parseArgs(argv: readonly string[]) {
  const quick = argv.includes("--quick");
  const outAt = argv.indexOf("--out");
  const out = outAt >= 0 ? argv[outAt + 1] : undefined;
  if (outAt >= 0 && !out) throw new Error("--out needs a file name");
  const write = !argv.includes("--no-write") && (out !== undefined || !quick);
  return {
    quick,
    strict: argv.includes("--strict"),
    out: write ? path.resolve(out ?? path.join(ROOT, "BENCHMARKS.md")) : undefined,
  };
}

function run(command: string, args: string[], fallback: string): string {
  try {
    return execFileSync(command, args, { encoding: "utf8" }).trim();
  } catch {
    return fallback;
  }
}

function machine(quick: boolean): Machine {
  const script = process.env.npm_lifecycle_script;
  const invoked = process.env.npm_lifecycle_event === "bench" ? "npm run bench" : undefined;
  const actual = script ?? `node ${process.execArgv.join(" ")} bench/run.ts`;
  const suffix = quick ? " --quick" : "";
  return {
    date: new Date().toISOString(),
    command: invoked
      ? `${invoked}${quick ? " -- --quick" : ""} (= \`${actual}${suffix}\`)`
      : `${actual}${suffix}`,
    node: run("node", ["--version"], process.version),
    nproc: run("nproc", [], String(os.availableParallelism())),
    cpu: os.cpus()[0]?.model ?? "unknown",
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    load: os
      .loadavg()
      .map((load) => load.toFixed(2))
      .join(", "),
  };
}

const integer = (n: number) => Math.round(n).toLocaleString("en-US");
/** Two decimals, or three when two would round onto a target and hide which side it is on. */
const ratio = (n: number) => {
  const near = Object.values(TARGETS).some((target) => Math.abs(n - target) < 0.005);
  return `${n.toFixed(near ? 3 : 2)}×`;
};
const micros = (n: number) => `${n.toFixed(1)} µs`;
const events = (n: number) => `${(n / 1e6).toFixed(2)} M events/s`;

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

function table(rows: readonly Row[]): string {
  const lines = [
    "| Benchmark | Size | Warden (median) | Baseline (median) | Ratio | Target | Result |",
    "| --- | --- | ---: | ---: | ---: | --- | --- |",
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.benchmark} | ${row.size} | ${row.warden} | ${row.baseline} | ${ratio(row.ratio)} | ${row.target} | ${row.pass ? "PASS" : "MISS"} |`,
    );
  }
  return lines.join("\n");
}

function costSamples(samples: readonly CostSample[]): string {
  return samples
    .map((s) => `${s.usPerDaemon.toFixed(1)} µs / ${integer(s.bytesPerDaemon)} B`)
    .join("; ");
}

function closes(samples: readonly CostSample[]): string {
  return samples
    .flatMap((s) => (s.closeUsPerDaemon === undefined ? [] : [micros(s.closeUsPerDaemon)]))
    .join("; ");
}

function details(cost: readonly CostResult[], bus: BusResult, startup: StartupResult): string {
  const lines = ["| Measurement | Runs | Samples (in order) |", "| --- | ---: | --- |"];
  for (const result of cost) {
    lines.push(
      `| (a) warden, ${integer(result.size)} daemons | ${result.repeats} | ${costSamples(result.samples.warden)} |`,
      `| (a) bare actors, ${integer(result.size)} daemons | ${result.repeats} | ${costSamples(result.samples.baseline)} |`,
      `| (a) warden \`close()\` after \`stopAll()\`, ${integer(result.size)} daemons (not compared; first run only) | 1 | ${closes(result.samples.warden)} per daemon |`,
    );
  }
  lines.push(
    `| (b) \`EventBus.publish\` | ${bus.repeats} | ${bus.samples.warden.map(events).join("; ")} |`,
    `| (b) bare \`Subject.next\` | ${bus.repeats} | ${bus.samples.baseline.map(events).join("; ")} |`,
    `| (b) for reference: bare \`Subject.next\` with \`time: Date.now()\` (median ${events(bus.stamped)}; warden ${ratio(bus.warden / bus.stamped)} of it) | ${bus.repeats} | ${bus.samples.stamped.map(events).join("; ")} |`,
    `| (c) \`startAll()\` wall time | ${startup.repeats} | ${startup.samples.map((s) => `${s.wallMs.toFixed(1)} ms`).join("; ")} |`,
    `| (c) \`startAll()\` until the first daemon's \`start()\` runs | ${startup.repeats} | ${startup.samples.map((s) => `${s.firstStartMs.toFixed(1)} ms`).join("; ")} |`,
  );
  return lines.join("\n");
}

function report(
  info: Machine,
  plan: Plan,
  rows: readonly Row[],
  cost: readonly CostResult[],
  bus: BusResult,
  startup: StartupResult,
  seconds: number,
): string {
  const misses = rows.filter((row) => !row.pass);
  return `# Benchmarks

\`npm run bench\` measures, in one run, what warden's supervision costs against the bare tools it
is built on, and checks each against its target:

- **(a) Cost per supervised in-process daemon.** N independent daemons whose \`start\` and \`stop\`
  resolve at once go through \`DaemonManager.register\` ×N, \`startAll()\` and \`stopAll()\`. The
  baseline is N standalone XState actors of the same lifecycle machine
  (\`daemonLifecycleMachine.provide({ actors: { startInstance, stopInstance, watchInstance } })\`, a
  trivial \`DaemonDriver\`, \`resolvePolicy()\`, \`dependenciesReady: true\`), each started, sent
  START, awaited in RUNNING, sent STOP and awaited in STOPPED. Time is per daemon, from the first
  \`register\` (or \`createActor\`) to all STOPPED, without the heap measurement; heap is
  \`process.memoryUsage().heapUsed\` after \`global.gc()\` while all daemons are RUNNING, minus the
  same before, per daemon. Sizes 1,000, 10,000 and 100,000. **Target: ≤ 3× the baseline in time
  and in heap, and 100,000 daemons in one process.**
- **(b) Event-bus throughput.** Events per second of \`EventBus.publish\` with ${SUBSCRIBERS} subscribers
  added by \`bus.subscribe\`, against a bare RxJS \`Subject.next\` of an equivalent plain object
  (\`{ id, type, source, time, data }\`) with ${SUBSCRIBERS} subscribers; every subscriber sums a field of
  the data. ${integer(plan.busEvents)} events per measurement. **Target: ≥ 0.5× the bare Subject.**
- **(c) Start of the real daemon index.** The 60 daemons of the daemon index and their documented
  dependencies (\`bench/daemon-index-graph.ts\`), each taking ${START_MS} ms to start on real timers;
  wall time of \`startAll()\` against the graph's critical path (\`criticalPath\` from
  \`machines/dependency-graph.ts\` at ${START_MS} ms per daemon). **Target: ≤ 1.1× the critical path.**

Every figure is the median of several runs (${plan.sizes.map((size) => `${plan.repeats(size)} for ${integer(size)} daemons`).join(", ")}; ${plan.busRepeats} for the bus; ${plan.startupRepeats} for the start), after a warm-up; warden
and its baseline alternate run by run. Run \`npm run bench -- --quick\` for a smoke run with small
sizes (it prints the table and leaves this file alone; \`--out FILE\` writes the report elsewhere).

## Results

- Command: ${info.command}
- Date: ${info.date}
- Machine: \`node --version\` ${info.node}, \`nproc\` ${info.nproc}, ${info.cpu}, ${info.memory} RAM, load average at start ${info.load}
- Whole run: ${seconds.toFixed(0)} s

${table(rows)}

${misses.length === 0 ? "Every target is met." : `Missed: ${misses.map((row) => `${row.benchmark} (${row.size}: ${ratio(row.ratio)} against ${row.target})`).join("; ")}.`}

### Every run

${details(cost, bus, startup)}

For (c), a one-at-a-time start would take ${startup.sequentialMs} ms; \`startAll()\` spent a median
${startup.firstStartMs.toFixed(1)} ms handing the 60 daemons to the supervisor before the first
\`start()\` ran.

${FINDINGS}`;
}

/** What profiling found while these benchmarks were written: fixed text, not regenerated. */
const FINDINGS = `## What the profiles showed

Found with \`node --cpu-prof\` on this machine on 2026-11-23, while writing these benchmarks; the
figures below are from then, not from the run above.

- **XState scanned every delayed event of the system whenever any actor stopped**
  (\`scheduler.cancelAll\`), invoked promises included. All daemons share one system, so
  \`startAll()\` + \`stopAll()\` was O(n²): 10,000 daemons took ≈ 7.1 ms each, 61% of it in
  \`cancelAll\`; 100,000 would have taken hours. \`indexDelayedEvents\` (actors/clock.ts) indexes the
  delayed events by actor: ≈ 0.9 ms each.
- **XState drains an actor's deferred effects with \`Array#shift\`**, which V8 turns into a copy
  beyond ≈ 16,000 entries: a root transition that sends to every daemon (START, SHUTDOWN) was
  O(n²). \`queueDeferredEffects\` (actors/clock.ts) gives the root an O(1) queue: 100,000 daemons
  went from ≈ 0.81–0.90 to ≈ 0.65 ms each.
- **XState copies the context with \`Object.assign({}, context, update)\` on every \`assign\`, and V8
  makes an object built that way with 20 or more properties a slow dictionary** (≈ 15 µs per copy
  instead of ≈ 1 µs with 10,000 live contexts). The lifecycle context had 23 fields; grouped into
  19, a bare lifecycle actor's start/stop cycle went from ≈ 0.37–0.55 to ≈ 0.26–0.30 ms and from
  ≈ 10.0 to ≈ 8.6 KB, and warden's from ≈ 14.2 to ≈ 12.9 KB per daemon. Keep that context at 19
  fields or fewer.
- **Stopping an actor copies its parent's children map** (a dictionary after the first delete,
  ≈ 2 µs per entry), so stopping a group supervisor is O(size²). Groups of 64 instead of 256 took
  \`close()\` of 30,000 daemons from ≈ 0.6 to ≈ 0.12 ms per daemon. It is still ≈ 0.3–0.4 ms per daemon
  at 100,000 (the root's map of 1,563 groups, and garbage collection of a 1.3 GB heap).
- **Event bus**: skipping Subjects nobody observes, not allocating a closure per delivery, and
  building the envelope id without a \`Number#toString(36)\` per event took \`EventBus.publish\` from
  0.39× to 0.60× of a bare \`Subject.next\` (A/B in one process, same ids). Most of what remains is
  the timestamp: a clock read (\`Date.now()\`) costs ≈ 60–75 ns on this VM (kvm-clock), about half
  of a bare \`Subject.next\` to 4 subscribers, so the ratio sits at 0.5–0.6 and dips under 0.5 when
  other processes load the machine.
- **Start of the daemon index** (target 1.1× not met): the critical path EVENT_ROUTER →
  CLUSTER_MONITOR → ADAPTIVE_RESOURCES is 60 ms, and three things add to it. (1) \`startAll()\`
  first hands all 60 daemons to the supervisor (spawning 60 lifecycle actors, ≈ 6–25 ms) before the
  first \`start()\` runs. (2) When EVENT_ROUTER is RUNNING, its 47 dependents receive
  DEPENDENCIES_READY synchronously, in registration order, and each daemon's \`start()\` runs in a
  microtask after that whole cascade (\`InProcessDriver.start\` defers it with
  \`Promise.resolve().then\`), so CLUSTER_MONITOR starts 4–13 ms late; then the 47 timers fire in the
  same order and CLUSTER_MONITOR, 29th, is reported RUNNING ≈ 6 ms after its own timer. (3) Each
  \`setTimeout(20)\` fires 0.3–1.5 ms late. Experiments outside the tree: sending DEPENDENCIES_READY
  to the longest chains first *and* calling \`start()\` synchronously brought it to ≈ 1.2–1.3×;
  either alone ≈ 1.4×. Both change when daemon code runs and in what order, so neither was made
  here; 1.1× would also need the first starts to begin before all daemons are registered.
`;

/** The report laid out by Prettier (aligned tables), as `npm run format` would. */
async function tidy(markdown: string): Promise<string> {
  try {
    const prettier = await import("prettier");
    const options = await prettier.resolveConfig(path.join(ROOT, "BENCHMARKS.md"));
    return await prettier.format(markdown, { ...options, parser: "markdown" });
  } catch {
    return markdown;
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const plan = args.quick ? QUICK : FULL;
  const info = machine(args.quick);
  const began = performance.now();
  const progress = (message: string) => {
    const elapsed = ((performance.now() - began) / 1000).toFixed(0).padStart(4);
    process.stderr.write(`[${elapsed} s] ${message}\n`);
  };
  collectGarbage(); // fails early without --expose-gc

  progress(`(b) event bus: ${integer(plan.busEvents)} events × ${plan.busRepeats}`);
  const bus = runBusThroughput({ events: plan.busEvents, repeats: plan.busRepeats, progress });
  progress(`(c) startup of the daemon index × ${plan.startupRepeats}`);
  const startup = await runStartupCriticalPath({ repeats: plan.startupRepeats, progress });
  progress(`(a) cost per daemon: ${plan.sizes.map(integer).join(", ")} daemons`);
  const cost = await runDaemonCost({ sizes: plan.sizes, repeats: plan.repeats, progress });

  const seconds = (performance.now() - began) / 1000;
  const rows = [...costRows(cost), busRow(bus), startupRow(startup)];
  process.stdout.write(`${table(rows)}\n`);
  if (args.out) {
    writeFileSync(args.out, await tidy(report(info, plan, rows, cost, bus, startup, seconds)));
    progress(`wrote ${path.relative(process.cwd(), args.out) || args.out}`);
  }
  progress(`done in ${seconds.toFixed(0)} s`);
  if (args.strict && rows.some((row) => !row.pass)) process.exitCode = 1;
}

await main();
