/**
 * The dead-letter queue (SPEC §5): where a delivery goes when its subscriber throws or rejects,
 * to be retried with backoff by the DLQ_RETRY daemon (runtime/builtins/dlq-retry.ts) and parked
 * after `dlq.maxAttempts` failed deliveries (machines/dlq-policy.ts).
 *
 * This class keeps the entries in memory: the bus's default. With a journal, `warden up` gives
 * the bus its subclass JournalDeadLetters (runtime/journal/dead-letter-store.ts), which writes
 * every change through to `<stateDir>/journal.db` through the hooks `saved`, `deleted` and
 * `cleared`, so that entries outlive the manager.
 *
 * Bounded, in entries and in bytes (the events' JSON and the errors): a subscriber that fails on
 * every event cannot grow it without end. What makes room is the entry parked longest ago, else
 * the oldest entry; each one is counted in `evicted`.
 */
import { Subject, type Observable } from "rxjs";
import { DEFAULTS } from "../../machines/defaults.ts";
import { afterFailure, dlqPolicy, type DlqPolicy } from "../../machines/dlq-policy.ts";
import type { Envelope } from "../../machines/envelope.ts";
import { messageOf } from "../../machines/errors.ts";

/**
 * A delivery that failed (SPEC §5): which event, to which subscriber (the subscribing daemon's
 * name), why, how often, and when it is tried next.
 */
export interface DeadLetter {
  id: string;
  event: Envelope;
  subscriber: string;
  /** The latest failure's message. */
  error: string;
  /** Failed deliveries, the original one included. */
  attempts: number;
  /** Milliseconds since the epoch, on the bus's clock. */
  firstFailedAt: number;
  lastFailedAt: number;
  /** When DLQ_RETRY tries it next; null while parked. */
  nextRetryAt: number | null;
  /** Out of retries: waits for `warden dlq retry`. */
  parked: boolean;
}

/** Which entries to show; every key given must hold. */
export interface DeadLetterFilter {
  /** The event's type is one of these. */
  types?: readonly string[];
  subscriber?: string;
  parked?: boolean;
}

/** Entries named by id, or every entry. */
export type DeadLetterSelection = readonly string[] | "all";

/** What `retry` and `purge` did: the ids acted on, and those the queue does not hold. */
export interface SelectionOutcome {
  ids: string[];
  unknown: string[];
}

export interface DeadLetterQueueOptions {
  /** Entries kept at most. Default `DEFAULTS.events.deadLetterCapacity` (10,000). */
  maxEntries?: number;
  /** Bytes kept at most (events as JSON, errors). Default `DEFAULTS.events.deadLetterMaxBytes`. */
  maxBytes?: number;
  /** The retry policy; DLQ_RETRY sets the configuration's with `configure`. */
  policy?: DlqPolicy;
}

/** One entry and what it weighs; `json` is the event as stored in the journal. */
export interface StoredLetter {
  letter: DeadLetter;
  json: string;
  bytes: number;
}

/** An error longer than this is cut: a thrown megabyte string must not fill the queue. */
const MAX_ERROR_LENGTH = 4096;
const ID_PREFIX = "dl-";

/**
 * @example
 * bus.deadLetters.list({ types: ["JOB"] });
 * // [{ id: "dl-1", event: { type: "JOB", … }, subscriber: "worker", error: "boom", attempts: 1,
 * //    firstFailedAt: …, lastFailedAt: …, nextRetryAt: …, parked: false }]
 */
export class DeadLetterQueue {
  private readonly entries = new Map<string, StoredLetter>();
  /** Ids of parked entries, longest parked first: the first to make room. */
  private readonly parkedIds = new Set<string>();
  private readonly added = new Subject<DeadLetter>();
  private readonly woken = new Subject<number>();
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private lastNumber = 0;
  private bytes = 0;
  private policy: DlqPolicy;
  /** Entries dropped to stay within the bounds, since the queue was made. */
  evicted = 0;
  /** Every dead letter as it arrives. */
  readonly added$: Observable<DeadLetter> = this.added.asObservable();
  /** The time an entry becomes due at, whenever one is added or retried by hand: wakes DLQ_RETRY. */
  readonly due$: Observable<number> = this.woken.asObservable();

  constructor(options: DeadLetterQueueOptions = {}) {
    this.maxEntries = options.maxEntries ?? DEFAULTS.events.deadLetterCapacity;
    this.maxBytes = options.maxBytes ?? DEFAULTS.events.deadLetterMaxBytes;
    this.policy = options.policy ?? dlqPolicy();
  }

  /** Sets the retry policy for the failures from now on (the configuration's `dlq`). */
  configure(policy: DlqPolicy): void {
    this.policy = policy;
  }

  /** Takes over a failed delivery: its first attempt. */
  add(envelope: Envelope, subscriber: string, error: string, time: number): DeadLetter {
    const standing = afterFailure(1, time, this.policy);
    const letter: DeadLetter = {
      id: `${ID_PREFIX}${++this.lastNumber}`,
      event: envelope,
      subscriber,
      error: bounded(error),
      attempts: 1,
      firstFailedAt: time,
      lastFailedAt: time,
      nextRetryAt: standing.nextRetryAt,
      parked: standing.parked,
    };
    const entry = this.keep(letter, eventJson(envelope));
    this.saved(entry);
    this.makeRoom();
    this.added.next({ ...letter });
    if (letter.nextRetryAt !== null) this.woken.next(letter.nextRetryAt);
    return { ...letter };
  }

  get size(): number {
    return this.entries.size;
  }

  /** Entries parked now. */
  get parkedCount(): number {
    return this.parkedIds.size;
  }

  /** What the entries weigh, as counted against `maxBytes`. */
  get byteCount(): number {
    return this.bytes;
  }

  get(id: string): DeadLetter | undefined {
    const entry = this.entries.get(id);
    return entry && { ...entry.letter };
  }

  /** The entries that match `filter`, oldest first. */
  list(filter: DeadLetterFilter = {}): DeadLetter[] {
    const types = filter.types && filter.types.length > 0 ? new Set(filter.types) : undefined;
    const found: DeadLetter[] = [];
    for (const { letter } of this.entries.values()) {
      if (types && !types.has(letter.event.type)) continue;
      if (filter.subscriber !== undefined && letter.subscriber !== filter.subscriber) continue;
      if (filter.parked !== undefined && letter.parked !== filter.parked) continue;
      found.push({ ...letter });
    }
    return found;
  }

  /** Up to `limit` entries due at `now` (not parked, `nextRetryAt` passed), oldest first. */
  due(now: number, limit: number): DeadLetter[] {
    const found: DeadLetter[] = [];
    for (const { letter } of this.entries.values()) {
      if (found.length >= limit) break;
      if (letter.nextRetryAt !== null && letter.nextRetryAt <= now) found.push({ ...letter });
    }
    return found;
  }

  /** The earliest `nextRetryAt` of an entry not parked; undefined when there is none. */
  nextDueAt(): number | undefined {
    let next: number | undefined;
    for (const { letter } of this.entries.values()) {
      const at = letter.nextRetryAt;
      if (at !== null && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  /** Records a failed retry of `id` at `time`: one more attempt, then due again or parked. */
  failed(id: string, error: string, time: number): DeadLetter | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    const { letter } = entry;
    const standing = afterFailure(letter.attempts + 1, time, this.policy);
    this.resize(entry, bounded(error));
    Object.assign(letter, standing, { lastFailedAt: time });
    if (standing.parked) this.parkedIds.add(id);
    this.saved(entry);
    return { ...letter };
  }

  /** Moves `id`'s next try to `until` without counting an attempt (its subscriber is away). */
  defer(id: string, until: number): void {
    const entry = this.entries.get(id);
    if (!entry || entry.letter.parked) return;
    entry.letter.nextRetryAt = until;
    this.saved(entry);
  }

  /** Drops `id` (delivered, or purged); false when it is not held. */
  remove(id: string): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.drop(id, entry);
    this.deleted(id);
    return true;
  }

  /**
   * Makes the selected entries due now with a fresh series of attempts (attempts 0, not
   * parked): the next failure counts as attempt 1, so an entry retried by hand gets
   * `maxAttempts` deliveries again before it is parked.
   */
  retry(selection: DeadLetterSelection, now: number): SelectionOutcome {
    const outcome = this.select(selection, (entry) => {
      const { letter } = entry;
      this.parkedIds.delete(letter.id);
      Object.assign(letter, { attempts: 0, parked: false, nextRetryAt: now });
      this.saved(entry);
    });
    if (outcome.ids.length > 0) this.woken.next(now);
    return outcome;
  }

  /** Drops the selected entries for good. */
  purge(selection: DeadLetterSelection): SelectionOutcome {
    if (selection === "all") {
      const ids = [...this.entries.keys()];
      this.clear();
      return { ids, unknown: [] };
    }
    return this.select(selection, (entry) => {
      this.drop(entry.letter.id, entry);
      this.deleted(entry.letter.id);
    });
  }

  /** Drops every entry; returns how many there were. */
  clear(): number {
    const count = this.entries.size;
    this.entries.clear();
    this.parkedIds.clear();
    this.bytes = 0;
    this.cleared();
    return count;
  }

  /** Numbers new ids after `last` (`dl-<last + 1>`): ids once given out are not given again. */
  /** Every entry held, oldest first. */
  protected stored(): Iterable<StoredLetter> {
    return this.entries.values();
  }

  protected numberAfter(last: number): void {
    this.lastNumber = Math.max(this.lastNumber, last);
  }

  /** Takes back an entry read from storage, as it was (no hook runs). */
  protected restore(letter: DeadLetter, json: string): void {
    const number = Number(letter.id.slice(ID_PREFIX.length));
    if (letter.id.startsWith(ID_PREFIX) && Number.isSafeInteger(number)) {
      this.lastNumber = Math.max(this.lastNumber, number);
    }
    this.keep(letter, json);
    this.makeRoom();
  }

  /** An entry was added or changed (a subclass persists it). */
  protected saved(entry: StoredLetter): void {
    void entry;
  }

  /** An entry was dropped. */
  protected deleted(id: string): void {
    void id;
  }

  /** Every entry was dropped. */
  protected cleared(): void {}

  private keep(letter: DeadLetter, json: string): StoredLetter {
    const entry = { letter, json, bytes: weight(json, letter.error, letter.subscriber) };
    this.entries.set(letter.id, entry);
    if (letter.parked) this.parkedIds.add(letter.id);
    this.bytes += entry.bytes;
    return entry;
  }

  private resize(entry: StoredLetter, error: string): void {
    const bytes = weight(entry.json, error, entry.letter.subscriber);
    this.bytes += bytes - entry.bytes;
    entry.bytes = bytes;
    entry.letter.error = error;
  }

  private drop(id: string, entry: StoredLetter): void {
    this.entries.delete(id);
    this.parkedIds.delete(id);
    this.bytes -= entry.bytes;
  }

  /** Evicts the longest-parked entry, else the oldest, while over a bound (the last one stays). */
  private makeRoom(): void {
    while (
      this.entries.size > 1 &&
      (this.entries.size > this.maxEntries || this.bytes > this.maxBytes)
    ) {
      const id = this.parkedIds.values().next().value ?? this.entries.keys().next().value!;
      this.drop(id, this.entries.get(id)!);
      this.deleted(id);
      this.evicted++;
    }
  }

  private select(
    selection: DeadLetterSelection,
    act: (entry: StoredLetter) => void,
  ): SelectionOutcome {
    const ids = selection === "all" ? [...this.entries.keys()] : [...new Set(selection)];
    const outcome: SelectionOutcome = { ids: [], unknown: [] };
    for (const id of ids) {
      const entry = this.entries.get(id);
      if (!entry) {
        outcome.unknown.push(id);
        continue;
      }
      act(entry);
      outcome.ids.push(id);
    }
    return outcome;
  }
}

/**
 * The event as JSON; one whose data JSON cannot represent (only possible without a journal) is
 * kept with its data said in words.
 */
function eventJson(envelope: Envelope): string {
  try {
    return JSON.stringify(envelope);
  } catch (error) {
    return JSON.stringify({ ...envelope, data: `[not JSON: ${messageOf(error)}]` });
  }
}

function bounded(error: string): string {
  return error.length <= MAX_ERROR_LENGTH ? error : `${error.slice(0, MAX_ERROR_LENGTH)}…`;
}

function weight(json: string, error: string, subscriber: string): number {
  return json.length + error.length + subscriber.length;
}
