/**
 * Benchmark (h): the journal (issue P8). In one run: journaled publish throughput and
 * publish → acknowledgement latency against the in-memory bus (bench/journal/throughput.ts),
 * cross-process delivery latency through the inbox and CROSS_PROCESS_POLLER
 * (bench/journal/cross-process.ts), and the time from a SIGKILL of the manager to every daemon
 * RUNNING again under `warden up --supervised` (bench/journal/supervised-recovery.ts).
 */
import { measureCrossProcess, type CrossProcessSample } from "./journal/cross-process.ts";
import { runSupervisedRecovery, type RecoveryResult } from "./journal/supervised-recovery.ts";
import { runJournalThroughput, type JournalThroughputResult } from "./journal/throughput.ts";
import { median } from "./stats.ts";

export interface JournalResult {
  throughput: JournalThroughputResult;
  /** Medians over the runs of each run's p50, p99 and max. */
  crossProcess: CrossProcessSample & { runs: number; samples: CrossProcessSample[] };
  recovery: RecoveryResult;
}

export interface JournalOptions {
  events: number;
  repeats: number;
  latencyEvents: number;
  crossProcessEvents: number;
  crossProcessRuns: number;
  recoveryRuns: number;
  progress?: (message: string) => void;
}

/** Cross-process events are appended one per this many ms (200 events/s). */
const CROSS_PROCESS_PACE_MS = 5;

export async function runJournal(options: JournalOptions): Promise<JournalResult> {
  const throughput = await runJournalThroughput(options);
  const samples: CrossProcessSample[] = [];
  await measureCrossProcess(Math.min(100, options.crossProcessEvents), CROSS_PROCESS_PACE_MS);
  for (let run = 0; run < options.crossProcessRuns; run++) {
    const sample = await measureCrossProcess(options.crossProcessEvents, CROSS_PROCESS_PACE_MS);
    samples.push(sample);
    options.progress?.(
      `cross-process run ${run + 1}/${options.crossProcessRuns}: p50 ${sample.p50.toFixed(2)} ms, ` +
        `p99 ${sample.p99.toFixed(2)} ms`,
    );
  }
  const crossProcess = {
    events: options.crossProcessEvents,
    paceMs: CROSS_PROCESS_PACE_MS,
    p50: median(samples.map((s) => s.p50)),
    p99: median(samples.map((s) => s.p99)),
    max: median(samples.map((s) => s.max)),
    runs: samples.length,
    samples,
  };
  const recovery = await runSupervisedRecovery({
    runs: options.recoveryRuns,
    ...(options.progress ? { progress: options.progress } : {}),
  });
  return { throughput, crossProcess, recovery };
}
