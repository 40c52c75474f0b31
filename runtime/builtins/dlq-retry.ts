/**
 * The DLQ_RETRY built-in daemon (SPEC §5; docs/dead-letters.md): delivers the dead-letter queue
 * again with backoff, and parks what keeps failing. It applies the configuration's `dlq` policy
 * to the bus's queue when it is made, then, while RUNNING, wakes on the manager's clock when the
 * earliest entry is due (or one is added or retried by hand) and works through the due entries,
 * oldest first, at most `batchSize` per pass, one at a time:
 * - `bus.redeliver` resolves "delivered": the entry is removed; `DLQ_DELIVERED` is published;
 * - it rejects (or gives no answer within `retryTimeoutMs`): one more attempt is counted, and the
 *   entry is due again after the backoff, or parked once `maxAttempts` deliveries have failed:
 *   `DLQ_PARKED` is published and a warning logged;
 * - "absent" (the subscriber has no handler now: its daemon is not running): no attempt is
 *   counted, and the entry waits as long as its current backoff step before it is tried again.
 *
 * A failed delivery of DLQ_RETRY's own events becomes a dead letter like any other, but its
 * parking publishes nothing: a subscriber to "*" that throws on everything would otherwise feed
 * the queue from its own announcements for ever.
 */
import { systemClock, type WardenClock } from "../../actors/clock.ts";
import type { DaemonContext, InProcessDaemon } from "../../actors/daemon-types.ts";
import {
  dlqPolicy,
  retryDelay,
  type DlqPolicy,
  type DlqPolicyOptions,
} from "../../machines/dlq-policy.ts";
import { messageOf } from "../../machines/errors.ts";
import type { DeadLetter } from "../bus/dead-letter-queue.ts";
import type { EventBus } from "../bus/event-bus.ts";

export interface DlqRetryOptions {
  /** The manager's bus: its dead-letter queue and `redeliver`. */
  bus: EventBus;
  /** The configuration's top-level `dlq` (SPEC §5), defaults applied where missing. */
  dlq?: unknown;
  /** The manager's clock (`manager.clock`). Default the system clock. */
  clock?: WardenClock;
  /** Entries retried per pass at most; more due wait for the next turn. Default 100. */
  batchSize?: number;
  /** How long one redelivery may take before it counts as failed. Default 30,000 ms. */
  retryTimeoutMs?: number;
}

/** The events DLQ_RETRY publishes, from its own name. */
export const DLQ_EVENTS = { delivered: "DLQ_DELIVERED", parked: "DLQ_PARKED" } as const;

/** The data of `DLQ_DELIVERED` and `DLQ_PARKED`. */
export interface DlqEventData {
  /** The dead letter's id. */
  id: string;
  subscriber: string;
  /** The type and id of the event that was not delivered. */
  type: string;
  eventId: string;
  /** Failed deliveries before this outcome. */
  attempts: number;
  /** `DLQ_PARKED`: the last failure. */
  error?: string;
}

/** `getMetrics()` of DLQ_RETRY. */
export interface DlqRetryMetrics extends Record<string, number> {
  /** Entries in the queue now, and how many of them are parked. */
  entries: number;
  parked: number;
  /** Since it was made: redeliveries tried, and their outcomes. */
  retried: number;
  delivered: number;
  failed: number;
  /** Entries found due whose subscriber was not there to take them. */
  deferred: number;
  /** Entries the queue dropped to stay within its bounds. */
  evicted: number;
}

export interface DlqRetryDaemon extends InProcessDaemon {
  start(ctx: DaemonContext): void;
  stop(ctx: DaemonContext): void;
  getMetrics(): DlqRetryMetrics;
}

const DEFAULT_BATCH_SIZE = 100;
const DEFAULT_RETRY_TIMEOUT_MS = 30_000;

/**
 * Makes DLQ_RETRY for `bus`, and sets the retry policy of its queue.
 *
 * @example
 * manager.register("DLQ_RETRY", dlqRetryDaemon({ bus: manager.bus, clock: manager.clock, dlq: { maxAttempts: 3 } }));
 * manager.bus.subscribe("DLQ_PARKED", (event) => console.log(event.data));
 * // { id: "dl-4", subscriber: "AUTO_SYNC", type: "MODEL_SAVED", eventId: "…", attempts: 3, error: "…" }
 */
export function dlqRetryDaemon(options: DlqRetryOptions): DlqRetryDaemon {
  const { bus } = options;
  const queue = bus.deadLetters;
  const clock = options.clock ?? systemClock;
  const policy = policyOf(options.dlq);
  const batchSize = positive("batchSize", options.batchSize ?? DEFAULT_BATCH_SIZE);
  const retryTimeoutMs = positive(
    "retryTimeoutMs",
    options.retryTimeoutMs ?? DEFAULT_RETRY_TIMEOUT_MS,
  );
  queue.configure(policy);
  const counts = { retried: 0, delivered: 0, failed: 0, deferred: 0 };
  let context: DaemonContext | undefined;
  let timer: unknown;
  let wakeAt: number | undefined;
  let passing = false;
  const teardown: (() => void)[] = [];

  const announce = (ctx: DaemonContext, type: string, letter: DeadLetter): void => {
    // Its own events' dead letters are announced by nothing: see the header.
    if (letter.event.source === ctx.name && letter.event.type.startsWith("DLQ_")) return;
    const data: DlqEventData = {
      id: letter.id,
      subscriber: letter.subscriber,
      type: letter.event.type,
      eventId: letter.event.id,
      attempts: letter.attempts,
      ...(type === DLQ_EVENTS.parked ? { error: letter.error } : {}),
    };
    try {
      ctx.bus.publish(type, data);
    } catch (error) {
      // The queue is right either way; a full EVENT_ROUTER must not stop the retries.
      ctx.logger.error(`cannot publish ${type}`, { err: messageOf(error) });
    }
  };

  const parked = (ctx: DaemonContext, letter: DeadLetter): void => {
    ctx.logger.warn(
      `dead letter ${letter.id} (${letter.event.type} for ${letter.subscriber}) parked after ` +
        `${letter.attempts} failed deliveries: ${letter.error}; \`warden dlq retry ${letter.id}\` tries again`,
      { id: letter.id, subscriber: letter.subscriber, type: letter.event.type },
    );
    announce(ctx, DLQ_EVENTS.parked, letter);
  };

  /** Delivers one entry again; says whether its subscriber was there. */
  const retryOne = async (ctx: DaemonContext, letter: DeadLetter): Promise<boolean> => {
    let outcome: "delivered" | "absent";
    try {
      outcome = await answerWithin(
        bus.redeliver(letter.subscriber, letter.event),
        retryTimeoutMs,
        clock,
      );
    } catch (error) {
      counts.retried++;
      counts.failed++;
      const now = queue.failed(letter.id, messageOf(error), clock.now());
      if (now?.parked) parked(ctx, now);
      return true;
    }
    if (outcome === "absent") {
      counts.deferred++;
      queue.defer(letter.id, clock.now() + retryDelay(Math.max(1, letter.attempts), policy));
      return false;
    }
    counts.retried++;
    counts.delivered++;
    // Purged by hand meanwhile: it was delivered all the same, but is no longer the queue's.
    if (queue.remove(letter.id)) announce(ctx, DLQ_EVENTS.delivered, letter);
    return true;
  };

  const pass = async (ctx: DaemonContext): Promise<void> => {
    passing = true;
    let full = false;
    try {
      const now = clock.now();
      const due = queue.due(now, batchSize);
      full = due.length >= batchSize;
      const away = new Set<string>();
      for (const letter of due) {
        if (context !== ctx) break;
        if (away.has(letter.subscriber)) {
          counts.deferred++;
          queue.defer(letter.id, now + retryDelay(Math.max(1, letter.attempts), policy));
        } else if (!(await retryOne(ctx, letter))) {
          away.add(letter.subscriber);
        }
      }
    } catch (error) {
      passing = false;
      ctx.fail(error);
      return;
    }
    passing = false;
    // Stopped meanwhile, or stopped and started again (that start left the waking to this).
    if (context === undefined) return;
    // A full batch leaves more due: the next pass comes after the loop has breathed.
    const next = full ? clock.now() : queue.nextDueAt();
    if (next !== undefined) wake(next);
  };

  /** Runs a pass at `at`, unless one is set for earlier or is running (it looks again after). */
  const wake = (at: number): void => {
    const ctx = context;
    if (ctx === undefined || passing || (wakeAt !== undefined && wakeAt <= at)) return;
    if (timer !== undefined) clock.clearTimeout(timer);
    wakeAt = at;
    timer = clock.setTimeout(
      () => {
        timer = undefined;
        wakeAt = undefined;
        if (context === ctx) void pass(ctx);
      },
      Math.max(0, at - clock.now()),
    );
  };

  return {
    start(ctx) {
      context = ctx;
      const woken = queue.due$.subscribe((at) => wake(at));
      // A failure parked at once (maxAttempts 1) never passes through a retry.
      const added = queue.added$.subscribe((letter) => {
        if (letter.parked) parked(ctx, letter);
      });
      teardown.push(
        () => woken.unsubscribe(),
        () => added.unsubscribe(),
      );
      const next = queue.nextDueAt();
      if (next !== undefined) wake(next);
    },
    stop() {
      context = undefined;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      wakeAt = undefined;
      for (const undo of teardown.splice(0)) undo();
    },
    getMetrics: () => ({
      entries: queue.size,
      parked: queue.parkedCount,
      ...counts,
      evicted: queue.evicted,
    }),
  };
}

/**
 * The policy of the configuration's `dlq` (already checked by the schema; checked again here
 * for a daemon made by hand).
 */
function policyOf(dlq: unknown): DlqPolicy {
  if (dlq === undefined) return dlqPolicy();
  if (typeof dlq !== "object" || dlq === null || Array.isArray(dlq)) {
    throw new RangeError(`DLQ_RETRY dlq must be an object, got ${JSON.stringify(dlq)}`);
  }
  const policy = dlqPolicy(dlq as DlqPolicyOptions);
  positive("dlq.maxAttempts", policy.maxAttempts);
  if (!Number.isInteger(policy.maxAttempts)) {
    throw new RangeError(`DLQ_RETRY dlq.maxAttempts must be an integer, got ${policy.maxAttempts}`);
  }
  const { initialMs, maxMs, factor } = policy.backoff;
  if (![initialMs, maxMs].every((ms) => Number.isFinite(ms) && ms >= 0) || !(factor >= 1)) {
    throw new RangeError(
      `DLQ_RETRY dlq.backoff must have initialMs and maxMs of 0 or more and factor of 1 or more, got ${JSON.stringify(policy.backoff)}`,
    );
  }
  return policy;
}

function positive(key: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`DLQ_RETRY ${key} must be a positive number, got ${value}`);
  }
  return value;
}

/** `promise`, or a rejection once `ms` have passed on `clock` without an answer. */
function answerWithin<T>(promise: Promise<T>, ms: number, clock: WardenClock): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(
      () => reject(new Error(`the subscriber did not answer within ${ms} ms`)),
      ms,
    );
    promise.then(
      (value) => {
        clock.clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clock.clearTimeout(timer);
        reject(error);
      },
    );
  });
}
