/**
 * History from the journal, for `warden events --since` (docs/journal.md): the events journaled
 * at or after a time, read with a read-only connection of the caller's own, so that it works
 * whether a manager runs or not, and across manager restarts. The manager's own connection is
 * never involved: WAL lets a reader and the writer work at the same time.
 */
import { existsSync } from "node:fs";
import type { Envelope } from "../../machines/envelope.ts";
import { envelopeOfRow, type EventRow } from "./event-rows.ts";
import { journalError, journalFile, openJournalDatabase } from "./journal-db.ts";

export interface HistoryQuery {
  /** Events whose `time` is at or after this, ms since the epoch. */
  since: number;
  /** Only these types; all when empty or absent. */
  types?: readonly string[];
  /** The newest this many at most. */
  limit: number;
}

export interface History {
  /** Oldest first: the newest `limit` events of the query. */
  events: Envelope[];
  /** True when older events of the query were left out by `limit`. */
  truncated: boolean;
}

/**
 * The journaled events of `stateDir` that match `query`; undefined when the state directory has
 * no journal (no manager has run there, nothing was emitted).
 *
 * @example
 * const history = readJournalHistory(".warden", { since: Date.now() - 3_600_000, limit: 1000 });
 * for (const event of history?.events ?? []) console.log(event.type);
 */
export function readJournalHistory(stateDir: string, query: HistoryQuery): History | undefined {
  const file = journalFile(stateDir);
  if (!existsSync(file)) return undefined;
  const db = openJournalDatabase(file, { readonly: true });
  try {
    const types = [...new Set(query.types ?? [])];
    const byType = types.length === 0 ? "" : ` AND type IN (${types.map(() => "?").join(", ")})`;
    // Newest first, walking the primary key back from the head: it stops after `limit` + 1.
    const rows = db
      .prepare(`SELECT * FROM events WHERE time >= ?${byType} ORDER BY seq DESC LIMIT ?`)
      .all(query.since, ...types, query.limit + 1) as EventRow[];
    const truncated = rows.length > query.limit;
    const events = rows.slice(0, query.limit).reverse().map(envelopeOfRow);
    return { events, truncated };
  } catch (error) {
    throw journalError(file, error);
  } finally {
    db.close();
  }
}
