/** (h)'s rows of the PASS/MISS table: the journal's throughput, latencies and recovery. */
import type { JournalResult } from "../journal.ts";
import { JOURNAL_SUBSCRIBERS } from "../journal/throughput.ts";
import { TARGETS } from "../plan.ts";
import { events, integer, latency, millis } from "./format.ts";
import type { Row } from "./results-table.ts";

export function journalRows({ throughput, crossProcess, recovery }: JournalResult): Row[] {
  const size = `${integer(throughput.events)} events, ${JOURNAL_SUBSCRIBERS} durable subscribers`;
  const { journaled, inMemory } = throughput.latency;
  return [
    {
      benchmark: "(h) journaled publish throughput",
      size,
      warden: events(throughput.journaled),
      baseline: "100,000 events/s",
      target: `≥ ${integer(TARGETS.journalEventsPerSecond)} events/s`,
      pass: throughput.journaled >= TARGETS.journalEventsPerSecond,
    },
    {
      benchmark: "(h) journaled against the in-memory bus",
      size,
      warden: events(throughput.journaled),
      baseline: `${events(throughput.inMemory)} (in memory)`,
      ratio: throughput.ratio,
      target: `≥ ${TARGETS.journalRatio}×`,
      pass: throughput.ratio >= TARGETS.journalRatio,
    },
    {
      benchmark: "(h) publish → acknowledged (journaled), p50 / p99",
      size: `${integer(throughput.latency.events)} events at ${integer(1e6 / throughput.latency.paceUs)}/s`,
      warden: `${latency(journaled.p50)} / ${latency(journaled.p99)}`,
      baseline: `${latency(inMemory.p50)} / ${latency(inMemory.p99)} (in memory, to the next turn)`,
      target: "recorded",
      pass: true,
      informational: true,
    },
    {
      benchmark: "(h) cross-process delivery, p50 / p99",
      size: `${integer(crossProcess.events)} events at ${integer(1000 / crossProcess.paceMs)}/s from another process, ${crossProcess.runs} runs`,
      warden: `${latency(crossProcess.p50)} / ${latency(crossProcess.p99)}`,
      baseline: "—",
      target: `p99 ≤ ${TARGETS.crossProcessP99Ms} ms`,
      pass: crossProcess.p99 <= TARGETS.crossProcessP99Ms,
    },
    {
      benchmark: "(h) SIGKILL of the manager → every daemon RUNNING (`--supervised`)",
      size: `the quickstart, ${recovery.daemons} daemons, ${recovery.runs} kills`,
      warden: millis(recovery.recoveryMs),
      baseline: "—",
      target: `≤ ${integer(TARGETS.supervisedRecoveryMs)} ms`,
      pass: recovery.recoveryMs <= TARGETS.supervisedRecoveryMs,
    },
  ];
}
