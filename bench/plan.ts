/** What `npm run bench` runs: the benchmarks, their sizes (full or quick), targets and results. */
import { fileURLToPath } from "node:url";
import type { BusResult } from "./bus-throughput.ts";
import type { CliFootprintResult } from "./cli-footprint.ts";
import type { ClusterResult } from "./cluster.ts";
import type { ControlApiResult } from "./control-api.ts";
import type { CostResult } from "./daemon-cost.ts";
import type { RestartResult } from "./process-restart.ts";
import type { CoordinatorResult } from "./ringrift-coordinator.ts";
import type { JournalResult } from "./journal.ts";
import type { ResourcesResult } from "./resources.ts";
import type { SimulateResult } from "./simulate.ts";
import type { StartupResult } from "./startup-critical-path.ts";

/** The report a full run rewrites. */
export const REPORT_FILE = fileURLToPath(new URL("../BENCHMARKS.md", import.meta.url));

export interface Plan {
  sizes: number[];
  repeats: (size: number) => number;
  busEvents: number;
  busRepeats: number;
  startupRepeats: number;
  restartRuns: number;
  restartWarmups: number;
  /** (e): seconds per load run and of each target's warm-up, load runs, restart rounds. */
  controlSeconds: number;
  controlWarmupSeconds: number;
  controlRuns: number;
  controlRestartRuns: number;
  controlRestartWarmups: number;
  /** (f): seconds of idling between the memory readings; CLI rounds measured and warm-ups. */
  footprintIdleSeconds: number;
  footprintRuns: number;
  footprintWarmups: number;
  /** (g): measured starts and stops of the ringrift coordinator profile (after one warm-up). */
  ringriftRuns: number;
  /** (h): events per throughput run and runs of each side; events for the ack latency. */
  journalEvents: number;
  journalRepeats: number;
  journalLatencyEvents: number;
  /** (h): events per cross-process run, runs; manager kills under --supervised. */
  crossProcessEvents: number;
  crossProcessRuns: number;
  recoveryRuns: number;
  /** (i): `startAll()` runs of each side and warm-up rounds; limit crossings of each side and warm-ups. */
  resourcesStartRuns: number;
  resourcesStartWarmups: number;
  memoryReactionRuns: number;
  memoryReactionWarmups: number;
  /** (j): simulated days measured (after a warm-up day); seeds of a simulated hour. */
  simulateDays: number;
  simulateSeeds: number;
  /** (k): events one at a time for the latency, events of the burst; restarts; failovers. */
  clusterLatencyEvents: number;
  clusterBurstEvents: number;
  clusterRestarts: number;
  clusterFailovers: number;
}

export const FULL: Plan = {
  sizes: [1_000, 10_000, 100_000],
  repeats: (size) => (size >= 100_000 ? 3 : 5),
  busEvents: 1_000_000,
  busRepeats: 11,
  startupRepeats: 11,
  restartRuns: 20,
  restartWarmups: 2,
  controlSeconds: 5,
  controlWarmupSeconds: 1,
  controlRuns: 3,
  controlRestartRuns: 10,
  controlRestartWarmups: 2,
  footprintIdleSeconds: 60,
  footprintRuns: 15,
  footprintWarmups: 2,
  ringriftRuns: 5,
  journalEvents: 500_000,
  journalRepeats: 7,
  journalLatencyEvents: 20_000,
  crossProcessEvents: 1_000,
  crossProcessRuns: 5,
  recoveryRuns: 7,
  resourcesStartRuns: 61,
  resourcesStartWarmups: 3,
  memoryReactionRuns: 15,
  memoryReactionWarmups: 1,
  simulateDays: 5,
  simulateSeeds: 1_000,
  clusterLatencyEvents: 1_000,
  clusterBurstEvents: 5_000,
  clusterRestarts: 50,
  clusterFailovers: 3,
};

export const QUICK: Plan = {
  sizes: [100, 1_000],
  repeats: (size) => (size >= 1_000 ? 3 : 5),
  busEvents: 100_000,
  busRepeats: 5,
  startupRepeats: 5,
  restartRuns: 5,
  restartWarmups: 1,
  controlSeconds: 1,
  controlWarmupSeconds: 1,
  controlRuns: 1,
  controlRestartRuns: 3,
  controlRestartWarmups: 1,
  footprintIdleSeconds: 5,
  footprintRuns: 3,
  footprintWarmups: 1,
  ringriftRuns: 2,
  journalEvents: 50_000,
  journalRepeats: 3,
  journalLatencyEvents: 2_000,
  crossProcessEvents: 200,
  crossProcessRuns: 2,
  recoveryRuns: 2,
  resourcesStartRuns: 5,
  resourcesStartWarmups: 1,
  memoryReactionRuns: 2,
  memoryReactionWarmups: 0,
  simulateDays: 1,
  simulateSeeds: 50,
  clusterLatencyEvents: 100,
  clusterBurstEvents: 500,
  clusterRestarts: 10,
  clusterFailovers: 1,
};

export const TARGETS = {
  costRatio: 3,
  busRatio: 0.5,
  startupRatio: 1.1,
  restartRatio: 1.2,
  restartVsPm2: 1,
  /** (f): the manager's RSS against pm2's daemon's. */
  footprintRss: 1.2,
  /** (f): the manager's CPU while idle, percent of one core (an absolute target, no ratio). */
  idleCpuPercent: 1,
  /** (f): a `warden` command, spawn to exit, against `node -e 0`. */
  cliRatio: 1.5,
  /** (h): journaled events per second, batched, and against the in-memory bus. */
  journalEventsPerSecond: 100_000,
  journalRatio: 0.2,
  /** (h): cross-process delivery p99, ms. */
  crossProcessP99Ms: 20,
  /** (h): SIGKILL of the manager to every quickstart daemon RUNNING under --supervised, ms. */
  supervisedRecoveryMs: 2000,
  /** (j): wall time of one simulated day of the 63-daemon catalog, default faults, ms. */
  simulatedDayMs: 2000,
  /** (j): wall time of 1,000 seeds of a simulated hour, ms (pro rata for fewer seeds). */
  thousandSeedsMs: 60_000,
  /** (k): cross-node event latency (p50 and p99) against raw NATS JetStream. */
  clusterLatencyRatio: 2,
  /** (k): singleton failover, ms beyond the lease TTL. */
  failoverOverTtlMs: 1000,
} as const;

/** The benchmarks by the name `--only` takes, in the order the report lists them. */
export const BENCHMARKS = [
  "daemon-cost",
  "bus-throughput",
  "startup-critical-path",
  "process-restart",
  "control-api",
  "cli-footprint",
  "ringrift-coordinator",
  "journal",
  "resources",
  "simulate",
  "cluster",
] as const;
export type BenchmarkName = (typeof BENCHMARKS)[number];

/** What the benchmarks that ran found. */
export interface Results {
  cost?: CostResult[];
  bus?: BusResult;
  startup?: StartupResult;
  restart?: RestartResult;
  control?: ControlApiResult;
  footprint?: CliFootprintResult;
  ringrift?: CoordinatorResult;
  journal?: JournalResult;
  resources?: ResourcesResult;
  simulate?: SimulateResult;
  cluster?: ClusterResult;
}
