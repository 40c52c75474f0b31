/**
 * The journal's `dead_letters` table (runtime/journal/journal-db.ts) as DeadLetter entries:
 * one row per entry, the event as JSON, `seq` the number of its id (`dl-<seq>`), which orders
 * the rows oldest first and, being AUTOINCREMENT, is never given twice. Read by the manager's store at start and by `warden dlq list` when no
 * manager runs (the journal opened read only).
 */
import type { DeadLetter, DeadLetterFilter } from "../bus/dead-letter-queue.ts";
import type { Envelope } from "../../machines/envelope.ts";
import type { JournalDatabase } from "./journal-db.ts";

/** A row of `dead_letters`. */
export interface DeadLetterRow {
  id: string;
  seq: number | null;
  event: string;
  subscriber: string;
  error: string;
  attempts: number;
  first_failed_at: number;
  last_failed_at: number;
  next_retry_at: number | null;
  parked: number;
}

/** Every row, oldest first. */
export const SELECT_DEAD_LETTERS = "SELECT * FROM dead_letters ORDER BY seq";

/**
 * The entry a row holds.
 *
 * @example
 * const letters = (db.prepare(SELECT_DEAD_LETTERS).all() as DeadLetterRow[]).map(letterOfRow);
 */
export function letterOfRow(row: DeadLetterRow): DeadLetter {
  return {
    id: row.id,
    event: JSON.parse(row.event) as Envelope,
    subscriber: row.subscriber,
    error: row.error,
    attempts: row.attempts,
    firstFailedAt: row.first_failed_at,
    lastFailedAt: row.last_failed_at,
    nextRetryAt: row.parked !== 0 ? null : row.next_retry_at,
    parked: row.parked !== 0,
  };
}

/** The number in an id `dl-<n>`, for the `seq` column; null for any other id. */
export function seqOfId(id: string): number | null {
  const match = /^dl-(\d{1,15})$/.exec(id);
  return match ? Number(match[1]) : null;
}

/**
 * The entries of a journal that match `filter`, oldest first: `warden dlq list` without a
 * manager. A row that cannot be read (a corrupt event) is skipped.
 *
 * @example
 * const db = openJournalDatabase(journalFile(stateDir), { readonly: true });
 * readDeadLetters(db, { types: ["JOB"] });
 */
export function readDeadLetters(db: JournalDatabase, filter: DeadLetterFilter = {}): DeadLetter[] {
  const types = filter.types && filter.types.length > 0 ? new Set(filter.types) : undefined;
  const found: DeadLetter[] = [];
  for (const row of db.prepare(SELECT_DEAD_LETTERS).iterate() as Iterable<DeadLetterRow>) {
    let letter: DeadLetter;
    try {
      letter = letterOfRow(row);
    } catch {
      // Nothing a reader can do about one bad row; the others are still worth showing.
      continue;
    }
    if (types && !types.has(letter.event.type)) continue;
    if (filter.subscriber !== undefined && letter.subscriber !== filter.subscriber) continue;
    if (filter.parked !== undefined && letter.parked !== filter.parked) continue;
    found.push(letter);
  }
  return found;
}
