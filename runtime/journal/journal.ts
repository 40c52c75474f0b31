/**
 * The event journal (SPEC §5, P8): every event the bus carries, written to
 * `<stateDir>/journal.db` in batches — one transaction per turn of the event loop, or sooner
 * once `batchSize` events wait — before any external publisher's publish is acknowledged
 * (`whenFlushed`). Durable subscriptions' acknowledged positions ride in the same transactions.
 *
 * A write that fails (a full disk, a state directory made read only) does not stop the manager:
 * the journal says it is degraded (`degraded`, `degraded$`), keeps what it could not write, up to
 * `maxPendingEvents` (beyond that it drops the oldest and counts them in `dropped`), rejects the
 * acknowledgements it owes, and tries again every `retryMs`.
 */
import { Subject, type Observable } from "rxjs";
import { WardenError } from "../../machines/errors.ts";
import type { Envelope } from "../../machines/envelope.ts";
import type { BusJournal, JournaledEnvelope } from "../bus/bus-journal.ts";
import type { Statement } from "better-sqlite3";
import {
  journalError,
  journalFile,
  openJournalDatabase,
  type JournalDatabase,
  type OpenJournalOptions,
} from "./journal-db.ts";
import { envelopeOfRow, type EventRow } from "./event-rows.ts";

export interface JournalOptions extends OpenJournalOptions {
  /** Events written in one transaction at most; more waiting are written at once. Default 4096. */
  batchSize?: number;
  /** Events kept in the journal; older ones are pruned. Default 1,000,000. */
  retainEvents?: number;
  /** Events kept in memory while the journal cannot be written. Default 100,000. */
  maxPendingEvents?: number;
  /** Between two attempts to write while degraded. Default 1000 ms. */
  retryMs?: number;
}

/** Why the journal cannot be written, since when (ms since the epoch). */
export interface JournalDegradation {
  error: WardenError;
  since: number;
}

interface Pending {
  seq: number;
  envelope: Envelope;
  data: string | null;
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Rows deleted by one prune at most, so that a prune never holds the loop for long. */
const PRUNE_CHUNK = 20_000;

/**
 * Rows per INSERT statement: one call into the addon per 64 events instead of per event,
 * about twice the throughput of a statement per row (measured with bench/journal).
 */
const ROWS_PER_INSERT = 64;
const COLUMNS = "(seq, id, type, source, time, node, data)";

function insertSql(rows: number): string {
  return `INSERT OR IGNORE INTO events ${COLUMNS} VALUES ${Array(rows).fill("(?, ?, ?, ?, ?, ?, ?)").join(", ")}`;
}

export class Journal implements BusJournal {
  private pending: Pending[] = [];
  private readonly dirtyCursors = new Map<string, number>();
  private readonly cursors = new Map<string, number>();
  /** Live subscriptions' positions, read at every flush. */
  private readonly tracked = new Map<string, () => number>();
  private waiters: Waiter[] = [];
  private scheduled = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private seq: number;
  private oldestSeq: number;
  private closed = false;
  private readonly degradations = new Subject<JournalDegradation | undefined>();
  private insert!: Statement;
  private insertMany!: Statement;
  /** The parameters of one `insertMany`, reused. */
  private readonly manyParameters: unknown[] = new Array<unknown>(ROWS_PER_INSERT * 7);
  private upsertCursor!: Statement;
  private database: JournalDatabase;
  private readonly batchSize: number;
  private readonly retainEvents: number;
  private readonly maxPendingEvents: number;
  private readonly retryMs: number;
  /** Set while the journal cannot be written. */
  degraded: JournalDegradation | undefined;
  /** Emits each degradation as it starts, and undefined when writing works again. */
  readonly degraded$: Observable<JournalDegradation | undefined> = this.degradations.asObservable();
  /** Events dropped from memory while degraded: published, delivered, never journaled. */
  dropped = 0;

  /**
   * Opens `<stateDir>/journal.db`.
   *
   * @example
   * const journal = Journal.open(".warden");
   * const manager = new DaemonManager({ stateDir: ".warden", journal });
   */
  static open(stateDir: string, options: JournalOptions = {}): Journal {
    const file = journalFile(stateDir);
    return new Journal(openJournalDatabase(file, options), file, options);
  }

  constructor(
    db: JournalDatabase,
    readonly file: string,
    private readonly options: JournalOptions = {},
  ) {
    this.database = db;
    this.batchSize = options.batchSize ?? 4096;
    this.retainEvents = options.retainEvents ?? 1_000_000;
    this.maxPendingEvents = options.maxPendingEvents ?? 100_000;
    this.retryMs = options.retryMs ?? 1000;
    const bounds = db
      .prepare("SELECT min(seq) AS oldest, max(seq) AS newest FROM events")
      .get() as {
      oldest: number | null;
      newest: number | null;
    };
    this.seq = bounds.newest ?? 0;
    this.oldestSeq = bounds.oldest ?? this.seq + 1;
    this.prepare(db);
    for (const row of db.prepare("SELECT subscription, seq FROM cursors").all() as {
      subscription: string;
      seq: number;
    }[]) {
      this.cursors.set(row.subscription, row.seq);
    }
  }

  /** The connection: it changes when the journal is opened again (`reopen`). */
  get db(): JournalDatabase {
    return this.database;
  }

  /**
   * Opens the file again: the state directory was deleted under the manager (the old file lives
   * on only through its open descriptor). Numbers go on from where they were; every position
   * known is written to the new file with the next batch.
   */
  reopen(): void {
    if (this.closed) return;
    this.flush();
    try {
      this.database.close();
    } catch {
      // Closing a file that is gone: nothing more to save.
    }
    const db = openJournalDatabase(this.file, this.options);
    this.database = db;
    this.prepare(db);
    this.oldestSeq = this.seq + 1;
    for (const [subscription, seq] of this.cursors) this.dirtyCursors.set(subscription, seq);
    this.schedule();
  }

  private prepare(db: JournalDatabase): void {
    this.insert = db.prepare(insertSql(1));
    this.insertMany = db.prepare(insertSql(ROWS_PER_INSERT));
    this.upsertCursor = db.prepare(
      "INSERT INTO cursors (subscription, seq) VALUES (?, ?) " +
        "ON CONFLICT (subscription) DO UPDATE SET seq = excluded.seq",
    );
  }

  get headSeq(): number {
    return this.seq;
  }

  /** Events recorded and not yet written. */
  get pendingCount(): number {
    return this.pending.length;
  }

  nextSeq(): number {
    return ++this.seq;
  }

  record(seq: number, envelope: Envelope): void {
    if (this.closed) throw this.closedError();
    let data: string | null;
    try {
      data = envelope.data === undefined ? null : JSON.stringify(envelope.data);
    } catch (error) {
      throw new WardenError(
        "WARDEN_ERR_JOURNAL",
        `event "${envelope.type}" from "${envelope.source}" cannot be journaled: its data is not ` +
          `JSON (${(error as Error).message})`,
        { cause: error },
      );
    }
    this.pending.push({ seq, envelope, data: data ?? null });
    if (this.pending.length >= this.batchSize && !this.degraded) this.flush();
    else this.schedule();
  }

  discard(seq: number): void {
    const last = this.pending.at(-1);
    if (last?.seq === seq) this.pending.pop();
  }

  cursor(subscription: string): number | undefined {
    return this.tracked.get(subscription)?.() ?? this.cursors.get(subscription);
  }

  /** Sets a subscription's position, written with the next batch. */
  setCursor(subscription: string, seq: number): void {
    if (this.cursors.get(subscription) === seq) return;
    this.cursors.set(subscription, seq);
    this.dirtyCursors.set(subscription, seq);
    this.schedule();
  }

  trackCursor(subscription: string, acknowledged: () => number): () => void {
    this.tracked.set(subscription, acknowledged);
    this.schedule();
    return () => {
      if (this.tracked.get(subscription) !== acknowledged) return;
      this.tracked.delete(subscription);
      if (!this.closed) this.setCursor(subscription, acknowledged());
    };
  }

  requestFlush(): void {
    this.schedule();
  }

  whenFlushed(): Promise<void> {
    if (this.pending.length === 0 && this.dirtyCursors.size === 0) {
      return this.degraded ? Promise.reject(this.degraded.error) : Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.schedule();
    });
  }

  /** Writes what waits, in one transaction; on failure the journal is degraded and keeps it. */
  flush(): void {
    if (this.closed) return;
    for (const [subscription, acknowledged] of this.tracked) {
      const seq = acknowledged();
      if (this.cursors.get(subscription) === seq) continue;
      this.cursors.set(subscription, seq);
      this.dirtyCursors.set(subscription, seq);
    }
    const batch = this.pending;
    const cursors = [...this.dirtyCursors];
    const waiters = this.waiters;
    if (batch.length === 0 && cursors.length === 0) {
      this.settle(waiters, undefined);
      return;
    }
    this.pending = [];
    this.dirtyCursors.clear();
    this.waiters = [];
    try {
      this.db.transaction(() => {
        this.insertBatch(batch);
        for (const [subscription, seq] of cursors) this.upsertCursor.run(subscription, seq);
      })();
    } catch (error) {
      this.failed(batch, cursors, journalError(this.file, error));
      this.settle(waiters, this.degraded!.error);
      return;
    }
    if (this.degraded) this.recovered();
    this.settle(waiters, undefined);
    this.prune();
  }

  /**
   * Events after `afterSeq`, of `type` ("*": all), oldest first, at most `limit`: those written,
   * then those still waiting to be (so a reader never misses one while the journal is degraded).
   */
  readAfter(afterSeq: number, type: string, limit: number): JournaledEnvelope[] {
    const rows = (
      type === "*"
        ? this.db
            .prepare("SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?")
            .all(afterSeq, limit)
        : this.db
            .prepare("SELECT * FROM events WHERE seq > ? AND type = ? ORDER BY seq LIMIT ?")
            .all(afterSeq, type, limit)
    ) as EventRow[];
    const found: JournaledEnvelope[] = rows.map((row) => ({
      seq: row.seq,
      envelope: envelopeOfRow(row),
    }));
    let after = found.at(-1)?.seq ?? afterSeq;
    for (const { seq, envelope } of this.pending) {
      if (found.length >= limit) break;
      if (seq <= after || (type !== "*" && envelope.type !== type)) continue;
      found.push({ seq, envelope });
      after = seq;
    }
    return found;
  }

  /** Writes what waits and closes the file. */
  close(): void {
    if (this.closed) return;
    this.flush();
    clearTimeout(this.retryTimer);
    this.closed = true;
    // What could not be written is lost with the manager; the owed acknowledgements say so.
    this.settle(this.waiters, this.closedError());
    this.waiters = [];
    this.db.close();
  }

  /** Inserts `batch`, `ROWS_PER_INSERT` rows per statement, the rest one by one. */
  private insertBatch(batch: readonly Pending[]): void {
    const parameters = this.manyParameters;
    let at = 0;
    for (; at + ROWS_PER_INSERT <= batch.length; at += ROWS_PER_INSERT) {
      let k = 0;
      for (let i = at; i < at + ROWS_PER_INSERT; i++) {
        const { seq, envelope, data } = batch[i]!;
        parameters[k++] = seq;
        parameters[k++] = envelope.id;
        parameters[k++] = envelope.type;
        parameters[k++] = envelope.source;
        parameters[k++] = envelope.time;
        parameters[k++] = envelope.node ?? null;
        parameters[k++] = data;
      }
      this.insertMany.run(parameters);
    }
    for (; at < batch.length; at++) {
      const { seq, envelope, data } = batch[at]!;
      this.insert.run(
        seq,
        envelope.id,
        envelope.type,
        envelope.source,
        envelope.time,
        envelope.node ?? null,
        data,
      );
    }
  }

  private schedule(): void {
    if (this.scheduled || this.degraded) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private failed(batch: Pending[], cursors: [string, number][], error: WardenError): void {
    this.pending = batch.concat(this.pending);
    for (const [subscription, seq] of cursors) {
      if (!this.dirtyCursors.has(subscription)) this.dirtyCursors.set(subscription, seq);
    }
    const excess = this.pending.length - this.maxPendingEvents;
    if (excess > 0) {
      this.pending.splice(0, excess);
      this.dropped += excess;
    }
    if (!this.degraded) {
      this.degraded = { error, since: Date.now() };
      this.degradations.next(this.degraded);
    } else {
      this.degraded.error = error;
    }
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.flush(), this.retryMs);
    this.retryTimer.unref();
  }

  private recovered(): void {
    this.degraded = undefined;
    clearTimeout(this.retryTimer);
    this.degradations.next(undefined);
  }

  private settle(waiters: Waiter[], error: Error | undefined): void {
    for (const waiter of waiters) {
      if (error) waiter.reject(error);
      else waiter.resolve();
    }
  }

  /** Deletes the oldest events beyond `retainEvents`, a chunk at a time. */
  private prune(): void {
    const keepFrom = this.seq - this.retainEvents + 1;
    if (keepFrom <= this.oldestSeq) return;
    const upTo = Math.min(keepFrom - 1, this.oldestSeq + PRUNE_CHUNK - 1);
    try {
      this.db.prepare("DELETE FROM events WHERE seq <= ?").run(upTo);
      this.oldestSeq = upTo + 1;
    } catch {
      // Pruning waits for the next flush; the events stay meanwhile.
    }
  }

  private closedError(): WardenError {
    return new WardenError("WARDEN_ERR_JOURNAL", `journal ${this.file} is closed`);
  }
}
