/**
 * The recent past of the event bus, for `GET /v1/events` and the SSE backlog: the last
 * `capacity` envelopes in a ring buffer, and how many events of each type were ever published
 * (for `warden_events_total`).
 */
import type { Observable, Subscription } from "rxjs";
import type { Envelope } from "./envelope.ts";

/** How many events `GET /v1/events` keeps by default (docs/control-api.md). */
export const DEFAULT_HISTORY_CAPACITY = 1000;

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
 */
export class EventHistory {
  private readonly ring: (Envelope | undefined)[];
  /** Where the next envelope goes. */
  private next = 0;
  private size = 0;
  private readonly byType = new Map<string, number>();
  private readonly subscription: Subscription;

  constructor(
    events$: Observable<Envelope>,
    private readonly capacity = DEFAULT_HISTORY_CAPACITY,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`EventHistory capacity must be a positive integer, got ${capacity}`);
    }
    this.ring = new Array<Envelope | undefined>(capacity);
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

  /** Every event published since construction, by type (not only the kept ones). */
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
    this.byType.set(envelope.type, (this.byType.get(envelope.type) ?? 0) + 1);
  }
}
