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
import {
  journalError,
  journalFile,
  openJournalDatabase,
  type JournalDatabase,
  type OpenJournalOptions,
} from "./journal-db.ts";
import { envelopeOfRow, type EventRow } from "./event-rows.ts";
import { EventWriter, type PendingEvent } from "./event-writer.ts";

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

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * The manager's connection waits this long for another process's write lock (opening it waits
 * the usual 5 s): its writes run on the event loop, which must never stall for seconds.
 */
const WRITE_BUSY_TIMEOUT_MS = 100;
/** A lock held this long makes the journal degraded; until then writes are retried. */
const BUSY_GRACE_MS = 2000;
const BUSY_RETRY_MS = 50;

/** Rows deleted by one prune at most, so that a prune never holds the loop for long. */
const PRUNE_CHUNK = 20_000;

export class Journal implements BusJournal {
  private pending: PendingEvent[] = [];
  private readonly dirtyCursors = new Map<string, number>();
  private readonly cursors = new Map<string, number>();
  private readonly hooks = new Set<() => void>();
  /** Since when the file has been locked by another process (SQLITE_BUSY), if it is. */
  private busySince: number | undefined;
  /** Live subscriptions' positions, read at every flush. */
  private readonly tracked = new Map<string, () => number>();
  private waiters: Waiter[] = [];
  private scheduled = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private seq: number;
  private oldestSeq: number;
  private closed = false;
  private readonly degradations = new Subject<JournalDegradation | undefined>();
  private writer: EventWriter;
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
    const db = openJournalDatabase(file, options);
    try {
      return new Journal(db, file, options);
    } catch (error) {
      // A damaged page is found by the first read (SQLITE_CORRUPT): said, never a stack trace.
      db.close();
      throw journalError(file, error);
    }
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
    db.pragma(`busy_timeout = ${WRITE_BUSY_TIMEOUT_MS}`);
    this.writer = new EventWriter(db);
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
    db.pragma(`busy_timeout = ${WRITE_BUSY_TIMEOUT_MS}`);
    this.writer = new EventWriter(db);
    this.oldestSeq = this.seq + 1;
    for (const [subscription, seq] of this.cursors) this.dirtyCursors.set(subscription, seq);
    this.schedule();
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
    if (this.pending.length >= this.batchSize && !this.degraded && this.busySince === undefined) {
      this.flush();
    } else this.schedule();
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

  /**
   * Runs `hook` before every batch: a store whose writes must not come after the positions the
   * batch writes (a failed delivery's dead letter before the cursor that passes it). Returns
   * the function that removes it.
   */
  beforeFlush(hook: () => void): () => void {
    this.hooks.add(hook);
    return () => this.hooks.delete(hook);
  }

  /** Writes what waits, in one transaction; on failure the journal is degraded and keeps it. */
  flush(): void {
    if (this.closed) return;
    for (const hook of this.hooks) hook();
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
        this.writer.events(batch);
        for (const [subscription, seq] of cursors) this.writer.position(subscription, seq);
      })();
    } catch (error) {
      if (this.briefly(error, batch, cursors, waiters)) return;
      this.failed(batch, cursors, journalError(this.file, error));
      this.settle(waiters, this.degraded!.error);
      return;
    }
    this.busySince = undefined;
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

  private schedule(): void {
    // Degraded or locked: the retry timer writes.
    if (this.scheduled || this.degraded || this.busySince !== undefined) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /**
   * Another process holds the write lock (an appender, a `sqlite3` shell): for up to
   * BUSY_GRACE_MS the batch and its acknowledgements just wait and the write is tried again
   * soon, without saying "degraded"; each try waits at most the short busy timeout, so the
   * event loop is never held for long. True when it took the failure so.
   */
  private briefly(
    error: unknown,
    batch: PendingEvent[],
    cursors: [string, number][],
    waiters: Waiter[],
  ): boolean {
    const busy = String((error as { code?: unknown }).code ?? "").startsWith("SQLITE_BUSY");
    if (!busy || this.degraded) return false;
    this.busySince ??= Date.now();
    if (Date.now() - this.busySince > BUSY_GRACE_MS) return false;
    this.pending = batch.concat(this.pending);
    for (const [subscription, seq] of cursors) {
      if (!this.dirtyCursors.has(subscription)) this.dirtyCursors.set(subscription, seq);
    }
    this.waiters = waiters.concat(this.waiters);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.flush(), BUSY_RETRY_MS);
    this.retryTimer.unref();
    return true;
  }

  private failed(batch: PendingEvent[], cursors: [string, number][], error: WardenError): void {
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
