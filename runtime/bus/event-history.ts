/**
 * The recent past of the event bus, for `GET /v1/events` and the SSE backlog: the last
 * `capacity` envelopes in a ring buffer, and how many events of each type were ever published
 * (for `warden_events_total`). Daemons choose their event types, so the types counted by name
 * are bounded per source and in all; the rest are counted as type `other` (SPEC §13).
 */
import type { Observable, Subscription } from "rxjs";
import { LIFECYCLE_EVENT_TYPES, type Envelope } from "../../machines/envelope.ts";
import { LabelBudget, OTHER_LABEL, type ExhaustedBudget } from "./label-budget.ts";
import type { Logger } from "../logger.ts";
import { DEFAULTS } from "../../machines/defaults.ts";

/** Distinct event types one source (a daemon, `api`) may add to `warden_events_total`. */
export const MAX_EVENT_TYPES_PER_SOURCE = 100;
/** Distinct event types all sources together may add (the lifecycle types come on top). */
export const MAX_EVENT_TYPES = 1000;

export interface EventHistoryOptions {
  /** Told once when a source, and once when all sources, run out of event types. */
  logger?: Pick<Logger, "warn">;
  /** Default MAX_EVENT_TYPES_PER_SOURCE. */
  maxTypesPerSource?: number;
  /** Default MAX_EVENT_TYPES. */
  maxTypes?: number;
}

export interface RecentOptions {
  /** Keep only these types; all of them when absent or empty. */
  types?: readonly string[];
  /** At most this many, the newest ones; every kept event when absent. */
  limit?: number;
}

/**
 * Records every envelope of `events$` from construction until `close()`.
 *
 * @example
 * const history = new EventHistory(manager.events$);
 * history.recent({ types: ["DAEMON_FAILED"], limit: 10 }); // oldest first
 * history.counts().get("DAEMON_STARTED"); // 12
 * history.counts().get("other"); // events of types beyond the caps
 */
export class EventHistory {
  private readonly ring: (Envelope | undefined)[];
  /** Where the next envelope goes. */
  private next = 0;
  private size = 0;
  private readonly byType = new Map<string, number>();
  private readonly types: LabelBudget;
  private readonly subscription: Subscription;

  constructor(
    events$: Observable<Envelope>,
    private readonly capacity: number = DEFAULTS.events.historyCapacity,
    options: EventHistoryOptions = {},
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`EventHistory capacity must be a positive integer, got ${capacity}`);
    }
    this.ring = new Array<Envelope | undefined>(capacity);
    const { logger } = options;
    this.types = new LabelBudget({
      perOwner: options.maxTypesPerSource ?? MAX_EVENT_TYPES_PER_SOURCE,
      total: options.maxTypes ?? MAX_EVENT_TYPES,
      reserved: LIFECYCLE_EVENT_TYPES,
      onExhausted: logger ? (exhausted) => warnExhausted(logger, exhausted) : undefined,
    });
    this.subscription = events$.subscribe((envelope) => this.record(envelope));
  }

  /** The newest kept envelopes that match, oldest first. */
  recent(options: RecentOptions = {}): Envelope[] {
    const types = options.types && options.types.length > 0 ? new Set(options.types) : undefined;
    const limit = Math.min(options.limit ?? this.size, this.size);
    const newestFirst: Envelope[] = [];
    for (let back = 1; back <= this.size && newestFirst.length < limit; back++) {
      const envelope = this.ring[(this.next - back + this.capacity) % this.capacity]!;
      if (!types || types.has(envelope.type)) newestFirst.push(envelope);
    }
    return newestFirst.reverse();
  }

  /**
   * Every event published since construction, by type (not only the kept ones); types beyond
   * the caps are counted under `other`, so there are at most MAX_EVENT_TYPES + 8 entries.
   */
  counts(): ReadonlyMap<string, number> {
    return this.byType;
  }

  /** Stops recording; what was recorded stays readable. */
  close(): void {
    this.subscription.unsubscribe();
  }

  private record(envelope: Envelope): void {
    this.ring[this.next] = envelope;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
    const type = this.types.admit(envelope.source, envelope.type);
    this.byType.set(type, (this.byType.get(type) ?? 0) + 1);
  }
}

function warnExhausted(logger: Pick<Logger, "warn">, exhausted: ExhaustedBudget): void {
  const { kind, owner, max, value } = exhausted;
  const counted = `warden_events_total counts further new types as type "${OTHER_LABEL}"`;
  const message =
    kind === "owner"
      ? `"${owner}" published more than ${max} event types; ${counted} for it`
      : `more than ${max} event types were published in all; ${counted}`;
  logger.warn({ source: owner, type: value, limit: max }, message);
}
