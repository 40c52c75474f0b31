/**
 * The dead-letter queue in the journal (runtime/journal/dead-letter-store.ts): entries written
 * behind in one transaction per turn, read back when the journal is opened again, bounded, and
 * still working in memory while the file cannot be written.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../../actors/clock.ts";
import { dlqPolicy } from "../../../machines/dlq-policy.ts";
import type { Envelope } from "../../../machines/envelope.ts";
import { EventBus } from "../../../runtime/bus/event-bus.ts";
import { JournalDeadLetters } from "../../../runtime/journal/dead-letter-store.ts";
import { readDeadLetters } from "../../../runtime/journal/dead-letter-rows.ts";
import { journalFile, openJournalDatabase } from "../../../runtime/journal/journal-db.ts";
import { Journal } from "../../../runtime/journal/journal.ts";
import { flush } from "../../support/simulated-runtime.ts";

const dirs: string[] = [];
const opened: { store: JournalDeadLetters; journal: Journal }[] = [];
afterEach(() => {
  for (const { store, journal } of opened.splice(0)) {
    store.close();
    journal.close();
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "warden-dlq-"));
  dirs.push(dir);
  return dir;
}

function open(dir: string, options: ConstructorParameters<typeof JournalDeadLetters>[2] = {}) {
  const journal = Journal.open(dir);
  const store = JournalDeadLetters.open(journal, options);
  const pair = { store, journal };
  opened.push(pair);
  return pair;
}

function close(pair: { store: JournalDeadLetters; journal: Journal }): void {
  opened.splice(opened.indexOf(pair), 1);
  pair.store.close();
  pair.journal.close();
}

const event = (n: number): Envelope => ({
  id: `e-${n}`,
  type: "JOB",
  source: "t",
  time: n,
  data: { n },
});

describe("JournalDeadLetters", () => {
  it("keeps entries, their retries and parking across a reopen, and numbers on after them", async () => {
    const dir = stateDir();
    const first = open(dir, { policy: dlqPolicy({ maxAttempts: 2 }) });
    first.store.add(event(1), "worker", "boom", 1_000);
    first.store.add(event(2), "worker", "boom", 1_000);
    first.store.add(event(3), "other", "bang", 1_000);
    first.store.failed("dl-2", "again", 2_000); // parked
    await flush(2);
    first.store.remove("dl-3");
    await flush(2);
    expect(first.store.pendingCount).toBe(0);
    const before = first.store.list();
    close(first);

    const second = open(dir);
    expect(second.store.list()).toEqual(before);
    expect(second.store.parkedCount).toBe(1);
    expect(second.store.get("dl-2")).toMatchObject({ attempts: 2, parked: true, error: "again" });
    // dl-3 was written and delivered: its number is not given again.
    expect(second.store.add(event(4), "worker", "x", 3_000).id).toBe("dl-4");
  });

  it("writes a turn's changes in one transaction, an entry changed many times once", async () => {
    const { store, journal } = open(stateDir());
    let transactions = 0;
    const transaction = journal.db.transaction.bind(journal.db);
    journal.db.transaction = ((fn: () => void) => {
      const run = transaction(fn);
      return Object.assign((...args: unknown[]) => {
        transactions++;
        return run(...(args as []));
      }, run);
    }) as typeof journal.db.transaction;
    for (let n = 0; n < 5_000; n++) store.add(event(n), "hot", "boom", n);
    for (let n = 0; n < 10; n++) store.failed("dl-1", `again ${n}`, 10_000 + n);
    expect(store.pendingCount).toBe(5_000);
    await flush(2);
    expect(transactions).toBe(1);
    expect(readDeadLetters(journal.db)).toHaveLength(5_000);
    expect(readDeadLetters(journal.db)[0]!.error).toBe("again 9");
  });

  it("is bounded in the table as in memory, and deletes rows it evicts", async () => {
    const dir = stateDir();
    const first = open(dir, { maxEntries: 100 });
    for (let n = 0; n < 1_000; n++) first.store.add(event(n), "hot", "boom", n);
    await flush(2);
    first.store.add(event(1_000), "hot", "boom", 1_000);
    await flush(2);
    expect(readDeadLetters(first.journal.db).map((l) => l.event.id)).toEqual(
      first.store.list().map((l) => l.event.id),
    );
    expect(first.store.size).toBe(100);
    expect(first.store.evicted).toBe(901);
    close(first);
    expect(open(dir).store.size).toBe(100);
  });

  it("purges all with one statement, and lets the bus dead-letter into it", async () => {
    const dir = stateDir();
    const { store, journal } = open(dir);
    const bus = new EventBus({ clock: systemClock, journal, deadLetters: store });
    bus.subscribe(
      "JOB",
      () => {
        throw new Error("boom");
      },
      { subscriber: "bad", durable: true },
    );
    bus.publish("JOB", 1);
    bus.publish("JOB", 2);
    await flush(2);
    expect(readDeadLetters(journal.db).map((l) => l.event.data)).toEqual([1, 2]);
    store.purge("all");
    await flush(2);
    expect(readDeadLetters(journal.db)).toEqual([]);
  });

  it("is read by `warden dlq list` through a read-only connection", async () => {
    const dir = stateDir();
    const pair = open(dir);
    pair.store.add({ ...event(1), type: "A" }, "s", "x", 0);
    pair.store.add({ ...event(2), type: "B" }, "s", "x", 0);
    close(pair);
    const db = openJournalDatabase(journalFile(dir), { readonly: true });
    try {
      expect(readDeadLetters(db, { types: ["B"] }).map((l) => l.event.id)).toEqual(["e-2"]);
    } finally {
      db.close();
    }
  });

  it("keeps working in memory while the file cannot be written, and writes once it can", async () => {
    const dir = stateDir();
    const journal = Journal.open(dir, { busyTimeoutMs: 20 });
    const store = JournalDeadLetters.open(journal, { retryMs: 30 });
    opened.push({ store, journal });
    store.add(event(1), "s", "x", 0);
    await flush(2);
    // Another process holding the write lock stands in for a disk that refuses writes.
    const other = openJournalDatabase(journalFile(dir));
    other.exec("BEGIN IMMEDIATE");
    store.add(event(2), "s", "x", 0);
    store.remove("dl-1");
    await flush(2);
    expect(store.degraded?.code).toBe("WARDEN_ERR_JOURNAL");
    expect(store.list().map((l) => l.id)).toEqual(["dl-2"]);
    expect(store.pendingCount).toBe(2);
    other.exec("ROLLBACK");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(store.degraded).toBeUndefined();
    expect(readDeadLetters(other).map((l) => l.id)).toEqual(["dl-2"]);
    other.close();
  });
});
