/**
 * The journal (runtime/journal/journal.ts) with the bus: events written in batches before their
 * acknowledgement, durable subscriptions that resume where they were acknowledged after the
 * journal is opened again, failures said with the file's name.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../../actors/clock.ts";
import type { Envelope } from "../../../machines/envelope.ts";
import { isWardenError } from "../../../machines/errors.ts";
import { EventBus } from "../../../runtime/bus/event-bus.ts";
import { Journal } from "../../../runtime/journal/journal.ts";
import { journalFile } from "../../../runtime/journal/journal-db.ts";

const dirs: string[] = [];
const journals: Journal[] = [];
afterEach(() => {
  for (const journal of journals.splice(0)) journal.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "warden-journal-"));
  dirs.push(dir);
  return dir;
}

function open(dir: string, options: ConstructorParameters<typeof Journal>[2] = {}): Journal {
  const journal = Journal.open(dir, options);
  journals.push(journal);
  return journal;
}

function close(journal: Journal): void {
  journals.splice(journals.indexOf(journal), 1);
  journal.close();
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("the journal", () => {
  it("writes every event before publishAcknowledged resolves, numbered in order", async () => {
    const dir = stateDir();
    const journal = open(dir);
    const bus = new EventBus({ clock: systemClock, journal });
    for (let i = 0; i < 10; i++) bus.publish("TICK", { i }, "clock");
    const last = await bus.publishAcknowledged("TICK", { i: 10 }, "clock");
    expect(journal.pendingCount).toBe(0);
    const rows = journal.readAfter(0, "TICK", 100);
    expect(rows.map((row) => (row.envelope.data as { i: number }).i)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    expect(rows.at(-1)!.envelope).toEqual(last);
    expect(rows.map((row) => row.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it("continues numbering after it is opened again", () => {
    const dir = stateDir();
    const first = open(dir);
    new EventBus({ clock: systemClock, journal: first }).publish("A", 1);
    close(first);
    const second = open(dir);
    expect(second.headSeq).toBe(1);
    expect(second.nextSeq()).toBe(2);
  });

  it("refuses data JSON cannot hold, and delivers nothing of it", () => {
    const journal = open(stateDir());
    const bus = new EventBus({ clock: systemClock, journal });
    const seen: unknown[] = [];
    bus.subscribe("BIG", (event) => void seen.push(event));
    expect(() => bus.publish("BIG", { n: 1n })).toThrow(/cannot be journaled/);
    expect(seen).toEqual([]);
  });

  it("resumes a durable subscriber from what it acknowledged, at least once and in order", async () => {
    const dir = stateDir();
    const first = open(dir);
    const bus = new EventBus({ clock: systemClock, journal: first });
    const seen: number[] = [];
    const subscription = bus.subscribe("JOB", (event) => void seen.push(event.data as number), {
      subscriber: "worker",
      durable: true,
    });
    for (let i = 1; i <= 3; i++) bus.publish("JOB", i);
    subscription.unsubscribe();
    // Published while the worker is away, and one of another type.
    for (let i = 4; i <= 6; i++) bus.publish("JOB", i);
    bus.publish("OTHER", 0);
    close(first);

    const second = open(dir);
    const again = new EventBus({ clock: systemClock, journal: second });
    const resumed: number[] = [];
    again.subscribe("JOB", (event) => void resumed.push(event.data as number), {
      subscriber: "worker",
      durable: true,
    });
    again.publish("JOB", 7); // live while catching up: comes after the backlog
    await turn();
    await turn();
    again.publish("JOB", 8);
    expect(seen).toEqual([1, 2, 3]);
    expect(resumed).toEqual([4, 5, 6, 7, 8]);
  });

  it("keeps an async delivery unacknowledged until it settles", async () => {
    const dir = stateDir();
    const first = open(dir);
    const bus = new EventBus({ clock: systemClock, journal: first });
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    bus.subscribe("JOB", (event) => (event.data === 2 ? blocked : undefined), {
      subscriber: "slow",
      durable: true,
    });
    for (let i = 1; i <= 3; i++) bus.publish("JOB", i);
    await first.whenFlushed();
    expect(first.cursor("slow JOB")).toBe(1);
    release();
    await blocked;
    await turn();
    expect(first.cursor("slow JOB")).toBe(3);
  });

  it("counts a failed delivery as the dead-letter queue's, and moves on", () => {
    const journal = open(stateDir());
    const bus = new EventBus({ clock: systemClock, journal });
    bus.subscribe(
      "JOB",
      () => {
        throw new Error("boom");
      },
      { subscriber: "bad", durable: true },
    );
    bus.publish("JOB", 1);
    expect(bus.deadLetters.size).toBe(1);
    expect(journal.cursor("bad JOB")).toBe(1);
  });

  it("redelivers to a named subscriber's handlers, or says it has none", async () => {
    const bus = new EventBus({ clock: systemClock });
    const seen: Envelope[] = [];
    bus.subscribe("JOB", (event) => void seen.push(event), { subscriber: "w" });
    const envelope = bus.publish("JOB", 1);
    await expect(bus.redeliver("w", envelope)).resolves.toBe("delivered");
    await expect(bus.redeliver("nobody", envelope)).resolves.toBe("absent");
    expect(seen).toEqual([envelope, envelope]);
  });

  it("names the file when it is not a database", () => {
    const dir = stateDir();
    writeFileSync(journalFile(dir), "this is not SQLite, but long enough to be read as a header.");
    let error: unknown;
    try {
      Journal.open(dir);
    } catch (thrown) {
      error = thrown;
    }
    expect(isWardenError(error, "WARDEN_ERR_JOURNAL")).toBe(true);
    expect((error as Error).message).toContain(journalFile(dir));
    expect((error as Error).message).toMatch(/not a SQLite database|corrupt/);
  });

  it("degrades while it cannot write, keeps the events, and writes them once it can", async () => {
    const dir = stateDir();
    const journal = open(dir, { retryMs: 20 });
    const bus = new EventBus({ clock: systemClock, journal });
    await bus.publishAcknowledged("A", 1);
    const seen: unknown[] = [];
    bus.subscribe("B", (event) => void seen.push(event.data));
    // A write that fails as on a read-only file system (SQLITE_READONLY).
    journal.db.pragma("query_only = ON");
    await expect(bus.publishAcknowledged("B", 2)).rejects.toThrow(/journal .* (cannot|failed)/);
    expect(seen).toEqual([2]);
    expect(journal.degraded).toBeDefined();
    journal.db.pragma("query_only = OFF");
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(journal.degraded).toBeUndefined();
    expect(journal.readAfter(0, "B", 10).map((row) => row.envelope.data)).toEqual([2]);
  });
});
