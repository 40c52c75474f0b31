/**
 * The manager's side of the inbox (docs/journal.md): moves the rows other processes appended
 * into the journal's `events`, in the inbox's order, numbered after everything the manager has
 * published so far. Used by the CROSS_PROCESS_POLLER, which then delivers what was moved.
 *
 * One move is one transaction: the events inserted and their inbox rows deleted together, so a
 * row is either still in the inbox or journaled, never both and never neither. A crash between
 * the commit and the delivery leaves the events journaled and undelivered: durable subscribers
 * catch up on them from the journal at the next start (at least once).
 */
import { randomUUID } from "node:crypto";
import type { JournaledEnvelope } from "../bus/bus-journal.ts";
import type { Journal } from "./journal.ts";
import { SELECT_INBOX_ROWS, envelopeOfInboxRow, type RawInboxRow } from "./inbox-rows.ts";

/** An inbox row that could not be an event, and why; it is deleted from the inbox. */
export interface InboxRejection {
  /** The row's `seq` in the inbox. */
  inboxSeq: number;
  reason: string;
}

/** What one move did. */
export interface InboxMove {
  /** The events journaled, in order, with their journal numbers: deliver them in this order. */
  moved: JournaledEnvelope[];
  rejected: InboxRejection[];
  /** True when the move took as many rows as it was allowed: there may be more. */
  more: boolean;
}

/**
 * Reads and moves inbox rows on the manager's journal connection.
 *
 * @example
 * const mover = new InboxMover(journal);
 * if (mover.changed()) for (const { seq, envelope } of mover.move(512).moved) bus.deliver(envelope, seq);
 */
export class InboxMover {
  private readonly dataVersion;
  private readonly select;
  private readonly insert;
  private readonly remove;
  private lastVersion: number | undefined;

  constructor(
    private readonly journal: Journal,
    private readonly now: () => number = Date.now,
  ) {
    const { db } = journal;
    this.dataVersion = db.prepare("PRAGMA data_version").pluck();
    this.select = db.prepare(SELECT_INBOX_ROWS);
    this.insert = db.prepare(
      "INSERT INTO events (seq, id, type, source, time, node, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    this.remove = db.prepare("DELETE FROM inbox WHERE seq <= ?");
  }

  /**
   * True when another connection has committed to the journal since the last call (SQLite's
   * `PRAGMA data_version`: microseconds, no table read). The first call is always true.
   */
  changed(): boolean {
    const version = this.dataVersion.get() as number;
    const changed = version !== this.lastVersion;
    this.lastVersion = version;
    return changed;
  }

  /**
   * Moves the oldest `limit` inbox rows into `events`, after writing what the journal holds
   * (so the manager's own events keep their place before them). Throws the journal's error
   * when it cannot be written; the rows then stay in the inbox.
   */
  move(limit: number): InboxMove {
    const { journal } = this;
    journal.flush();
    if (journal.degraded) throw journal.degraded.error;
    const moved: JournaledEnvelope[] = [];
    const rejected: InboxRejection[] = [];
    let taken = 0;
    // IMMEDIATE: the write lock first, so no other writer commits between the read and the
    // delete (and a read snapshot never has to be upgraded).
    journal.db
      .transaction(() => {
        const rows = this.select.all(limit) as RawInboxRow[];
        taken = rows.length;
        if (rows.length === 0) return;
        const now = this.now();
        for (const row of rows) {
          const result = envelopeOfInboxRow(row, now, randomUUID);
          if (!result.ok) {
            rejected.push({ inboxSeq: row.seq, reason: result.reason });
            continue;
          }
          const { envelope } = result;
          // A number taken by a transaction that then fails is skipped: the journal has gaps.
          const seq = journal.nextSeq();
          this.insert.run(
            seq,
            envelope.id,
            envelope.type,
            envelope.source,
            envelope.time,
            envelope.node ?? null,
            result.data,
          );
          moved.push({ seq, envelope });
        }
        this.remove.run(rows.at(-1)!.seq);
      })
      .immediate();
    return { moved, rejected, more: taken >= limit };
  }
}
