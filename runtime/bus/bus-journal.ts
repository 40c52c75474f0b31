import type { Envelope } from "../../machines/envelope.ts";

/** One journaled event and its place in the journal. */
export interface JournaledEnvelope {
  seq: number;
  envelope: Envelope;
}

/**
 * What the bus needs of a journal (runtime/journal/journal.ts is the SQLite one): numbers for
 * events, a place to write them before their publish is acknowledged, the history after a
 * position, and each durable subscription's acknowledged position.
 */
export interface BusJournal {
  /** The number of the next event; numbers only grow, across manager restarts too. */
  nextSeq(): number;
  /** The last number given out (0 for an empty journal). */
  readonly headSeq: number;
  /**
   * Keeps `envelope` under `seq`, to be written with the next batch. Throws (nothing kept) when
   * the envelope cannot be journaled, e.g. data JSON cannot represent.
   */
  record(seq: number, envelope: Envelope): void;
  /** Forgets the envelope just recorded under `seq` (its publish was refused after all). */
  discard(seq: number): void;
  /** Writes everything recorded so far, now. */
  flush(): void;
  /** Resolves once everything recorded so far is written; rejects when writing it failed. */
  whenFlushed(): Promise<void>;
  /** Journaled events after `afterSeq`, of `type` ("*": all), oldest first, at most `limit`. */
  readAfter(afterSeq: number, type: string, limit: number): JournaledEnvelope[];
  /** A durable subscription's acknowledged position, undefined if it has none yet. */
  cursor(subscription: string): number | undefined;
  /**
   * Writes `acknowledged()` as the subscription's position with every batch from now on (so that
   * a delivery costs the subscription a field write, not a journal call); the returned function
   * stops that, writing the last position with the next batch.
   */
  trackCursor(subscription: string, acknowledged: () => number): () => void;
  /** Asks for a batch soon: a tracked position moved with no event recorded. */
  requestFlush(): void;
}
