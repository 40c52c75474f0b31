/**
 * The dead-letter queue kept in the journal (SPEC §5: "events and the DLQ are journaled"): a
 * DeadLetterQueue (runtime/bus/dead-letter-queue.ts) whose entries are also rows of the
 * `dead_letters` table of `<stateDir>/journal.db`, read back when the manager starts again.
 *
 * Memory stays the authority while the manager runs (lists and retries never wait for the
 * disk); every change is written behind, like the Journal's events: the entries changed in one
 * turn of the event loop go in one transaction on the next, so a subscriber failing on every
 * event at 10,000 events/s costs one transaction per turn, not one per failure. An entry
 * changed many times in a turn is written once.
 *
 * A write that fails (a full disk, a state directory made read only) leaves the queue working
 * in memory: `degraded` says why, the changes wait (bounded: at most one per entry held, plus the
 * deletions of rows written before) and are tried again every `retryMs`.
 */
import type { Statement } from "better-sqlite3";
import type { WardenError } from "../../machines/errors.ts";
import {
  DeadLetterQueue,
  type DeadLetterQueueOptions,
  type StoredLetter,
} from "../bus/dead-letter-queue.ts";
import {
  letterOfRow,
  SELECT_DEAD_LETTERS,
  seqOfId,
  type DeadLetterRow,
} from "./dead-letter-rows.ts";
import { journalError, type JournalDatabase } from "./journal-db.ts";

export interface JournalDeadLettersOptions extends DeadLetterQueueOptions {
  /** Between two attempts to write while degraded. Default 1000 ms. */
  retryMs?: number;
}

const UPSERT =
  "INSERT INTO dead_letters (id, seq, event, subscriber, error, attempts, first_failed_at, " +
  "last_failed_at, next_retry_at, parked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) " +
  "ON CONFLICT (id) DO UPDATE SET error = excluded.error, attempts = excluded.attempts, " +
  "last_failed_at = excluded.last_failed_at, next_retry_at = excluded.next_retry_at, " +
  "parked = excluded.parked";

export class JournalDeadLetters extends DeadLetterQueue {
  /** Changes not written yet, by id: the entry to write, or null to delete its row. */
  private readonly dirty = new Map<string, StoredLetter | null>();
  /** Ids that have a row. */
  private readonly persisted = new Set<string>();
  private clearAll = false;
  private scheduled = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private upsert!: Statement;
  private deleteOne!: Statement;
  private deleteAll!: Statement;
  private readonly retryMs: number;
  /** Why the journal cannot be written, while it cannot. */
  degraded: WardenError | undefined;

  /**
   * The dead letters of an open journal (runtime/journal/journal.ts), with those it holds.
   *
   * @example
   * const journal = Journal.open(stateDir);
   * const deadLetters = JournalDeadLetters.open(journal);
   * const manager = new DaemonManager({ stateDir, journal, deadLetters });
   */
  static open(
    journal: {
      db: JournalDatabase;
      file: string;
      beforeFlush?: (hook: () => void) => () => void;
    },
    options: JournalDeadLettersOptions = {},
  ): JournalDeadLetters {
    const store = new JournalDeadLetters(journal.db, journal.file, options);
    // A failed delivery's dead letter is written before the cursor that passes it: a crash
    // between the two writes then repeats the delivery instead of losing it.
    store.unhook = journal.beforeFlush?.(() => store.flush()) ?? (() => {});
    return store;
  }

  private unhook: () => void = () => {};

  constructor(
    private db: JournalDatabase,
    private readonly file: string,
    options: JournalDeadLettersOptions = {},
  ) {
    super(options);
    this.retryMs = options.retryMs ?? 1000;
    try {
      this.prepare(db);
      this.load();
    } catch (error) {
      throw journalError(file, error);
    }
  }

  /** Changes waiting to be written. */
  get pendingCount(): number {
    return this.dirty.size + (this.clearAll ? 1 : 0);
  }

  /** Writes the waiting changes now, in one transaction. */
  flush(): void {
    if (this.closed || (!this.clearAll && this.dirty.size === 0)) return;
    if (!this.db.open) {
      // The journal was closed under it: nothing more can be written.
      this.closed = true;
      return;
    }
    const batch = [...this.dirty];
    const clearing = this.clearAll;
    this.dirty.clear();
    this.clearAll = false;
    try {
      this.db.transaction(() => {
        if (clearing) this.deleteAll.run();
        for (const [id, entry] of batch) {
          if (entry === null) this.deleteOne.run(id);
          else this.upsert.run(...rowOf(entry));
        }
      })();
    } catch (error) {
      this.writeFailed(batch, clearing, journalError(this.file, error));
      return;
    }
    if (clearing) this.persisted.clear();
    for (const [id, entry] of batch) {
      if (entry === null) this.persisted.delete(id);
      else this.persisted.add(id);
    }
    this.degraded = undefined;
    clearTimeout(this.retryTimer);
  }

  /**
   * Writes to `db` from now on: the journal was opened again on a new file (its state directory
   * was deleted under the manager), so every entry held is written to it with the next batch.
   */
  reattach(db: JournalDatabase): void {
    if (this.closed) return;
    this.db = db;
    this.prepare(db);
    this.persisted.clear();
    this.dirty.clear();
    for (const entry of this.stored()) this.dirty.set(entry.letter.id, entry);
    this.schedule();
  }

  private prepare(db: JournalDatabase): void {
    this.upsert = db.prepare(UPSERT);
    this.deleteOne = db.prepare("DELETE FROM dead_letters WHERE id = ?");
    this.deleteAll = db.prepare("DELETE FROM dead_letters");
  }

  /** Writes what waits and stops writing: call it before the journal closes. */
  close(): void {
    if (this.closed) return;
    this.unhook();
    this.flush();
    clearTimeout(this.retryTimer);
    this.closed = true;
  }

  protected override saved(entry: StoredLetter): void {
    this.dirty.set(entry.letter.id, entry);
    this.schedule();
  }

  protected override deleted(id: string): void {
    // A row never written needs no deletion: the change waiting for it is dropped.
    if (this.persisted.has(id)) this.dirty.set(id, null);
    else this.dirty.delete(id);
    this.schedule();
  }

  protected override cleared(): void {
    this.dirty.clear();
    this.clearAll = true;
    this.schedule();
  }

  /** Takes back every row, oldest first; a row that cannot be read is deleted. */
  private load(): void {
    for (const row of this.db.prepare(SELECT_DEAD_LETTERS).all() as DeadLetterRow[]) {
      this.persisted.add(row.id);
      let letter;
      try {
        letter = letterOfRow(row);
      } catch {
        // A row whose event is not JSON any more holds nothing that could be redelivered.
        this.dirty.set(row.id, null);
        continue;
      }
      this.restore(letter, row.event);
    }
    // AUTOINCREMENT remembers the largest number ever written, deleted rows' included.
    const sequence = this.db
      .prepare("SELECT seq FROM sqlite_sequence WHERE name = 'dead_letters'")
      .get() as { seq: number } | undefined;
    if (sequence !== undefined) this.numberAfter(sequence.seq);
    if (this.dirty.size > 0) this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.closed || this.degraded) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private writeFailed(
    batch: [string, StoredLetter | null][],
    clearing: boolean,
    error: WardenError,
  ): void {
    // Changes made since are newer than the batch's: they win.
    for (const [id, entry] of batch) if (!this.dirty.has(id)) this.dirty.set(id, entry);
    this.clearAll ||= clearing;
    this.degraded = error;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.flush(), this.retryMs);
    this.retryTimer.unref();
  }
}

/** The UPSERT's parameters for an entry. */
function rowOf({ letter, json }: StoredLetter): unknown[] {
  return [
    letter.id,
    seqOfId(letter.id),
    json,
    letter.subscriber,
    letter.error,
    letter.attempts,
    letter.firstFailedAt,
    letter.lastFailedAt,
    letter.nextRetryAt,
    letter.parked ? 1 : 0,
  ];
}
