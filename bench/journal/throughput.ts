/**
 * Benchmark (h), first half: the journaled bus against the in-memory bus, in one process.
 *
 * - Throughput: `EventBus.publish` with 4 durable subscribers (named, as daemons' subscriptions
 *   are) on a bus with a SQLite journal, until the last batch is written (`whenFlushed`),
 *   against the same publishes and subscribers on a bus without one.
 * - Latency: events published at a steady pace (one per `paceUs`); for the journaled bus the time
 *   from `publish` to its acknowledgement (`publishAcknowledged` resolving: the event is in the
 *   file), for the in-memory bus from `publish` to its delivery to a subscriber in the next turn
 *   of the loop (what an external publisher of the in-memory bus could be told at best).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../../actors/clock.ts";
import type { Envelope } from "../../machines/envelope.ts";
import { EventBus } from "../../runtime/bus/event-bus.ts";
import { Journal } from "../../runtime/journal/journal.ts";
import { median } from "../stats.ts";

export const JOURNAL_SUBSCRIBERS = 4;

/** Events per second of one run: journaled (true) or in memory (false). */
export async function measureJournaledBus(events: number, journaled: boolean): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "warden-bench-journal-"));
  const journal = journaled ? Journal.open(dir) : undefined;
  try {
    const bus = new EventBus({ clock: systemClock, ...(journal ? { journal } : {}) });
    let sum = 0;
    for (let s = 0; s < JOURNAL_SUBSCRIBERS; s++) {
      bus.subscribe(
        "BENCH",
        (event: Envelope<unknown>) => {
          sum += (event.data as { value: number }).value;
        },
        { subscriber: `subscriber-${s}`, durable: true },
      );
    }
    const t0 = performance.now();
    for (let i = 0; i < events; i++) bus.publish("BENCH", { value: i });
    await journal?.whenFlushed();
    const elapsed = performance.now() - t0;
    const expected = (JOURNAL_SUBSCRIBERS * events * (events - 1)) / 2;
    if (sum !== expected) throw new Error(`journal benchmark lost events: ${sum} ≠ ${expected}`);
    if (journal && journal.headSeq !== events) {
      throw new Error(`journal benchmark: ${journal.headSeq} events journaled, not ${events}`);
    }
    return (events * 1000) / elapsed;
  } finally {
    journal?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface LatencySample {
  p50: number;
  p99: number;
}

/**
 * Milliseconds from publish to acknowledgement (journaled) or to delivery in the next turn (in
 * memory), for `events` events published one per `paceUs` microseconds.
 */
export async function measureLatency(
  events: number,
  journaled: boolean,
  paceUs: number,
): Promise<LatencySample> {
  const dir = mkdtempSync(join(tmpdir(), "warden-bench-journal-"));
  const journal = journaled ? Journal.open(dir) : undefined;
  const latencies: number[] = [];
  try {
    const bus = new EventBus({ clock: systemClock, ...(journal ? { journal } : {}) });
    bus.subscribe("BENCH", () => {}, { subscriber: "subscriber", durable: true });
    const pending: Promise<void>[] = [];
    const start = performance.now();
    for (let i = 0; i < events; i++) {
      // Steady pace: wait for the event's slot, yielding to the loop meanwhile.
      const due = start + (i * paceUs) / 1000;
      while (performance.now() < due) await new Promise<void>((resolve) => setImmediate(resolve));
      const t0 = performance.now();
      if (journal) {
        pending.push(
          bus.publishAcknowledged("BENCH", { value: i }).then(() => {
            latencies.push(performance.now() - t0);
          }),
        );
      } else {
        bus.publish("BENCH", { value: i });
        pending.push(
          new Promise<void>((resolve) =>
            setImmediate(() => {
              latencies.push(performance.now() - t0);
              resolve();
            }),
          ),
        );
      }
    }
    await Promise.all(pending);
  } finally {
    journal?.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

export interface JournalThroughputResult {
  events: number;
  repeats: number;
  /** Events per second, medians. */
  journaled: number;
  inMemory: number;
  ratio: number;
  samples: { journaled: number[]; inMemory: number[] };
  latency: { journaled: LatencySample; inMemory: LatencySample; events: number; paceUs: number };
}

export interface JournalThroughputOptions {
  events: number;
  repeats: number;
  latencyEvents: number;
  progress?: (message: string) => void;
}

/** Alternates the journaled and the in-memory bus, `repeats` times each, after a warm-up. */
export async function runJournalThroughput(
  options: JournalThroughputOptions,
): Promise<JournalThroughputResult> {
  const warmup = Math.min(options.events, 100_000);
  await measureJournaledBus(warmup, true);
  await measureJournaledBus(warmup, false);
  const journaled: number[] = [];
  const inMemory: number[] = [];
  for (let r = 0; r < options.repeats; r++) {
    const order = r % 2 === 0 ? [true, false] : [false, true];
    for (const withJournal of order) {
      const rate = await measureJournaledBus(options.events, withJournal);
      (withJournal ? journaled : inMemory).push(rate);
    }
    options.progress?.(
      `journal ${options.events} events run ${r + 1}/${options.repeats}: journaled ` +
        `${(journaled[r]! / 1e3).toFixed(0)} k/s, in memory ${(inMemory[r]! / 1e6).toFixed(2)} M/s`,
    );
  }
  const paceUs = 100; // 10,000 events/s
  const latency = {
    journaled: await measureLatency(options.latencyEvents, true, paceUs),
    inMemory: await measureLatency(options.latencyEvents, false, paceUs),
    events: options.latencyEvents,
    paceUs,
  };
  const j = median(journaled);
  const m = median(inMemory);
  return {
    events: options.events,
    repeats: options.repeats,
    journaled: j,
    inMemory: m,
    ratio: j / m,
    samples: { journaled, inMemory },
    latency,
  };
}
