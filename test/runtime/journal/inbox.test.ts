/**
 * The journal's inbox (runtime/journal/inbox.ts, inbox-mover.ts, inbox-rows.ts) with a real
 * journal in a temporary state directory: what other processes append is moved into `events`
 * in order, numbered after the manager's own events; rows that are not valid events are
 * rejected with a reason, never stopping the others; history is read back by time.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../../actors/clock.ts";
import { isWardenError } from "../../../machines/errors.ts";
import { EventBus } from "../../../runtime/bus/event-bus.ts";
import { appendToInbox } from "../../../runtime/journal/inbox.ts";
import { InboxMover } from "../../../runtime/journal/inbox-mover.ts";
import { INBOX_LIMITS } from "../../../runtime/journal/inbox-rows.ts";
import { journalFile } from "../../../runtime/journal/journal-db.ts";
import { readJournalHistory } from "../../../runtime/journal/journal-history.ts";
import { Journal } from "../../../runtime/journal/journal.ts";

const Database = createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
const dirs: string[] = [];
const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "warden-inbox-"));
  dirs.push(dir);
  return dir;
}

function openJournal(dir: string): Journal {
  const journal = Journal.open(dir);
  closers.push(() => journal.close());
  return journal;
}

/** Another connection, as a foreign writer has: rows inserted as they are, checked by nobody. */
function foreign(dir: string): BetterSqlite3.Database {
  const db = new Database(journalFile(dir), { timeout: 5000 });
  closers.push(() => db.close());
  return db;
}

describe("appendToInbox", () => {
  it("journals the event in the inbox, with an id and a time, and rewrites the one-byte hint", () => {
    const dir = join(stateDir(), "not-yet");
    const before = Date.now();
    const envelope = appendToInbox(dir, { type: "MODEL_SAVED", data: { epoch: 3 }, source: "t" });
    appendToInbox(dir, { type: "MODEL_SAVED" });
    expect(envelope).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: "MODEL_SAVED",
      source: "t",
      time: expect.any(Number),
      data: { epoch: 3 },
    });
    expect(envelope.time).toBeGreaterThanOrEqual(before);
    const rows = foreign(dir).prepare("SELECT * FROM inbox ORDER BY seq").all();
    expect(rows).toEqual([
      {
        seq: 1,
        id: envelope.id,
        type: "MODEL_SAVED",
        source: "t",
        time: envelope.time,
        node: null,
        data: '{"epoch":3}',
      },
      expect.objectContaining({ seq: 2, source: "external", data: "null" }),
    ]);
    expect(readFileSync(join(dir, "journal.hint"), "utf8")).toBe("\n");
  });

  it("refuses an invalid event as a usage error, writing nothing", () => {
    const dir = stateDir();
    const cases: [Parameters<typeof appendToInbox>[1], RegExp][] = [
      [{ type: "DAEMON_STARTED" }, /reserved/],
      [{ type: "has space" }, /whitespace/],
      [{ type: "X".repeat(201) }, /at most 200/],
      [{ type: "X", source: "" }, /source must be 1 to 200/],
      [{ type: "X", data: { n: 1n } }, /not JSON/],
      [{ type: "X", data: "x".repeat(INBOX_LIMITS.dataBytes) }, /over 1048576 bytes/],
      [{ type: "X", time: -1 }, /time must be/],
    ];
    for (const [event, message] of cases) {
      let caught: unknown;
      try {
        appendToInbox(dir, event);
      } catch (error) {
        caught = error;
      }
      expect(isWardenError(caught, "WARDEN_ERR_USAGE"), String(caught)).toBe(true);
      expect((caught as Error).message).toMatch(message);
    }
    expect(existsSync(journalFile(dir))).toBe(false);
  });
});

describe("InboxMover", () => {
  it("moves the inbox into events in its order, after the manager's own pending events", () => {
    const dir = stateDir();
    const journal = openJournal(dir);
    const bus = new EventBus({ clock: systemClock, journal });
    bus.publish("OWN", { n: 1 }, "manager-daemon"); // recorded, not written yet
    const appended = [1, 2, 3].map((i) => appendToInbox(dir, { type: "EXT", data: { i } }));
    const mover = new InboxMover(journal);
    expect(mover.changed()).toBe(true);
    const move = mover.move(10);
    expect(move.rejected).toEqual([]);
    expect(move.more).toBe(false);
    expect(move.moved).toEqual(appended.map((envelope, i) => ({ seq: i + 2, envelope })));
    expect(journal.readAfter(0, "*", 10).map((row) => row.envelope.type)).toEqual([
      "OWN",
      "EXT",
      "EXT",
      "EXT",
    ]);
    expect(foreign(dir).prepare("SELECT count(*) AS n FROM inbox").get()).toEqual({ n: 0 });
    // Nothing committed by anyone else since: a poll reads no table.
    expect(mover.changed()).toBe(false);
    appendToInbox(dir, { type: "EXT" });
    expect(mover.changed()).toBe(true);
  });

  it("moves at most `limit` rows at a time and says there may be more", () => {
    const dir = stateDir();
    const journal = openJournal(dir);
    for (let i = 0; i < 5; i++) appendToInbox(dir, { type: "EXT", data: { i } });
    const mover = new InboxMover(journal);
    const first = mover.move(3);
    expect(first.more).toBe(true);
    const second = mover.move(3);
    expect(second.more).toBe(false);
    const order = [...first.moved, ...second.moved].map(
      (m) => (m.envelope.data as { i: number }).i,
    );
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it("rejects rows that are not valid events with a reason, and moves the others in order", () => {
    const dir = stateDir();
    const journal = openJournal(dir);
    const db = foreign(dir);
    const insert = db.prepare(
      "INSERT INTO inbox (id, type, source, time, node, data) VALUES (?, ?, ?, ?, ?, ?)",
    );
    const rows: unknown[][] = [
      [null, "GOOD", "py", 1000, null, '{"i":0}'],
      [null, "BAD_JSON", "py", null, null, "{nope"],
      [null, "X".repeat(300), "py", null, null, null],
      [null, "DAEMON_STARTED", "py", null, null, null],
      [null, Buffer.from([0xc3]), "py", null, null, null],
      [null, "BIG", "py", null, null, JSON.stringify("x".repeat(INBOX_LIMITS.dataBytes + 10))],
      [null, "GOOD", "s".repeat(201), null, null, null],
      [null, "GOOD", "py", "yesterday", null, null],
      [null, "GOOD", "py", null, null, Buffer.from([0xff, 0xfe])],
      ["my-id", "GOOD", "py", null, "gpu-3", Buffer.from('{"i":1}')],
    ];
    for (const row of rows) insert.run(...row);
    db.prepare("INSERT INTO inbox (type, data) VALUES ('GOOD', '{\"i\":2}')").run();
    const move = new InboxMover(journal, () => 5000).move(100);
    expect(move.moved.map((m) => m.envelope)).toEqual([
      { id: expect.any(String), type: "GOOD", source: "py", time: 1000, data: { i: 0 } },
      { id: "my-id", type: "GOOD", source: "py", time: 5000, data: { i: 1 }, node: "gpu-3" },
      { id: expect.any(String), type: "GOOD", source: "external", time: 5000, data: { i: 2 } },
    ]);
    expect(move.rejected.map((r) => [r.inboxSeq, r.reason])).toEqual([
      [2, expect.stringMatching(/^data is not JSON \(/)],
      [3, `type is 300 characters long, at most 200`],
      [4, expect.stringMatching(/reserved/)],
      [5, "type is a blob that is not UTF-8"],
      [6, `data is ${INBOX_LIMITS.dataBytes + 12} bytes, at most ${INBOX_LIMITS.dataBytes}`],
      [7, "source is 201 characters long, at most 200"],
      [8, "time is text, not ms since the epoch"],
      [9, "data is a blob that is not UTF-8"],
    ]);
    expect(db.prepare("SELECT count(*) AS n FROM inbox").get()).toEqual({ n: 0 });
  });

  it("leaves the rows in the inbox when the journal cannot take them", () => {
    const dir = stateDir();
    const journal = openJournal(dir);
    appendToInbox(dir, { type: "EXT" });
    const db = foreign(dir);
    db.exec("BEGIN IMMEDIATE"); // another writer holds the lock past the busy timeout
    journal.db.pragma("busy_timeout = 50");
    expect(() => new InboxMover(journal).move(10)).toThrow(/locked|busy/i);
    db.exec("ROLLBACK");
    expect(db.prepare("SELECT count(*) AS n FROM inbox").get()).toEqual({ n: 1 });
    expect(new InboxMover(journal).move(10).moved).toHaveLength(1);
  });
});

describe("readJournalHistory", () => {
  it("reads the newest `limit` events at or after a time, of the types asked, oldest first", async () => {
    const dir = stateDir();
    expect(readJournalHistory(dir, { since: 0, limit: 10 })).toBeUndefined();
    const journal = openJournal(dir);
    const bus = new EventBus({ clock: { ...systemClock, now: () => time }, journal });
    let time = 1000;
    for (let i = 0; i < 6; i++) {
      time = 1000 * (i + 1);
      bus.publish(i % 2 === 0 ? "EVEN" : "ODD", { i }, "test");
    }
    await journal.whenFlushed();
    const data = (history: ReturnType<typeof readJournalHistory>) =>
      history?.events.map((event) => (event.data as { i: number }).i);
    expect(data(readJournalHistory(dir, { since: 3000, limit: 10 }))).toEqual([2, 3, 4, 5]);
    const newest = readJournalHistory(dir, { since: 0, limit: 2 });
    expect(data(newest)).toEqual([4, 5]);
    expect(newest?.truncated).toBe(true);
    const even = readJournalHistory(dir, { since: 0, types: ["EVEN"], limit: 3 });
    expect(data(even)).toEqual([0, 2, 4]);
    expect(even?.truncated).toBe(false);
  });
});
