/**
 * Benchmark (b): event-bus throughput. `EventBus.publish` with 4 subscribers (each added with
 * `bus.subscribe`) against a bare RxJS `Subject.next` of an equivalent plain object with 4
 * subscribers; every subscriber does the same trivial work, summing a field of the event's data.
 */
import { Subject } from "rxjs";
import { systemClock } from "../actors/clock.ts";
import type { Envelope } from "../machines/envelope.ts";
import { EventBus } from "../runtime/bus/event-bus.ts";
import { median } from "./stats.ts";

export const SUBSCRIBERS = 4;

export interface BusResult {
  events: number;
  repeats: number;
  /** Events per second, medians. */
  warden: number;
  baseline: number;
  /** warden / baseline. */
  ratio: number;
  /** Reference, not the target: the bare Subject with a `Date.now()` timestamp per event. */
  stamped: number;
  samples: { warden: number[]; baseline: number[]; stamped: number[] };
}

interface Payload {
  value: number;
}

/** Publishes `events` events on a fresh EventBus with 4 subscribers; returns events/s. */
export function measureBus(events: number): number {
  const bus = new EventBus({ clock: systemClock });
  let sum = 0;
  for (let s = 0; s < SUBSCRIBERS; s++) {
    bus.subscribe("BENCH", (event: Envelope<unknown>) => {
      sum += (event.data as Payload).value;
    });
  }
  const t0 = performance.now();
  for (let i = 0; i < events; i++) bus.publish("BENCH", { value: i } satisfies Payload);
  return rate(events, performance.now() - t0, sum);
}

/** The same with a bare Subject and a plain object of the envelope's fields; returns events/s. */
export function measureSubject(events: number): number {
  const { subject, sum } = summingSubject();
  const t0 = performance.now();
  for (let i = 0; i < events; i++) {
    subject.next({ id: "e", type: "BENCH", source: "bench", time: i, data: { value: i } });
  }
  return rate(events, performance.now() - t0, sum());
}

/**
 * For reference only: the bare Subject with the one thing an envelope must have that the plain
 * object above lacks, a real timestamp (`Date.now()` per event).
 */
export function measureStampedSubject(events: number): number {
  const { subject, sum } = summingSubject();
  const t0 = performance.now();
  for (let i = 0; i < events; i++) {
    subject.next({ id: "e", type: "BENCH", source: "bench", time: Date.now(), data: { value: i } });
  }
  return rate(events, performance.now() - t0, sum());
}

/**
 * A bare Subject with 4 subscribers, each summing the event's `data.value`; `sum()` is their
 * total. The loops that publish stay in the measuring functions, each compiled on its own.
 */
function summingSubject(): { subject: Subject<Envelope<Payload>>; sum: () => number } {
  const subject = new Subject<Envelope<Payload>>();
  let sum = 0;
  for (let s = 0; s < SUBSCRIBERS; s++) {
    subject.subscribe((event) => {
      sum += event.data.value;
    });
  }
  return { subject, sum: () => sum };
}

/**
 * Events per second, once the subscribers' `sum` shows that every subscriber saw every event:
 * 4 × (0 + 1 + … + events−1).
 */
function rate(events: number, elapsedMs: number, sum: number): number {
  const expected = (SUBSCRIBERS * events * (events - 1)) / 2;
  if (sum !== expected) throw new Error(`bus benchmark lost events: sum ${sum} ≠ ${expected}`);
  return (events * 1000) / elapsedMs;
}

export interface BusOptions {
  events: number;
  repeats: number;
  progress?: (message: string) => void;
}

/** Alternates the bus and the bare Subject, `repeats` times each, after a warm-up of each. */
export function runBusThroughput(options: BusOptions): BusResult {
  const warmup = Math.min(options.events, 200_000);
  measureSubject(warmup);
  measureBus(warmup);
  measureStampedSubject(warmup);
  const warden: number[] = [];
  const baseline: number[] = [];
  const stamped: number[] = [];
  for (let r = 0; r < options.repeats; r++) {
    // Alternate which side goes first.
    if (r % 2 === 0) {
      baseline.push(measureSubject(options.events));
      warden.push(measureBus(options.events));
    } else {
      warden.push(measureBus(options.events));
      baseline.push(measureSubject(options.events));
    }
    stamped.push(measureStampedSubject(options.events));
    options.progress?.(
      `bus ${options.events} events run ${r + 1}/${options.repeats}: ` +
        `bus ${mega(warden[r]!)} M/s, Subject ${mega(baseline[r]!)} M/s`,
    );
  }
  const w = median(warden);
  const b = median(baseline);
  return {
    events: options.events,
    repeats: options.repeats,
    warden: w,
    baseline: b,
    ratio: w / b,
    stamped: median(stamped),
    samples: { warden, baseline, stamped },
  };
}

function mega(rate: number): string {
  return (rate / 1e6).toFixed(2);
}
