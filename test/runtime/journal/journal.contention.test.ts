/**
 * The journal beside other writers: another process holding the write lock for a moment makes
 * writes wait and retry (never "degraded", never a stall of seconds), and a failed delivery's
 * dead letter is written no later than the cursor that passes it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../../actors/clock.ts";
import { EventBus } from "../../../runtime/bus/event-bus.ts";
import { JournalDeadLetters } from "../../../runtime/journal/dead-letter-store.ts";
import { Journal } from "../../../runtime/journal/journal.ts";
import { journalFile, openJournalDatabase } from "../../../runtime/journal/journal-db.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "warden-journal-lock-"));
  dirs.push(dir);
  return dir;
}

describe("the journal beside other writers", () => {
  it("waits out another connection's write lock and writes once it is released", async () => {
    const dir = stateDir();
    const journal = Journal.open(dir);
    const other = openJournalDatabase(journalFile(dir));
    try {
      const bus = new EventBus({ clock: systemClock, journal });
      other.exec("BEGIN IMMEDIATE");
      const acknowledged = bus.publishAcknowledged("LOCKED", { n: 1 });
      let settled = false;
      void acknowledged.then(() => (settled = true));
      // Several tries while the lock is held: none degrades the journal, none acknowledges.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(settled).toBe(false);
      expect(journal.degraded).toBeUndefined();
      other.exec("COMMIT");
      await acknowledged;
      expect(journal.readAfter(0, "LOCKED", 10)).toHaveLength(1);
      expect(journal.degraded).toBeUndefined();
    } finally {
      other.close();
      journal.close();
    }
  });

  it("writes a failed delivery's dead letter before the cursor that passes it", () => {
    const dir = stateDir();
    const journal = Journal.open(dir);
    const deadLetters = JournalDeadLetters.open(journal);
    try {
      const bus = new EventBus({ clock: systemClock, journal, deadLetters });
      bus.subscribe(
        "JOB",
        () => {
          throw new Error("boom");
        },
        { subscriber: "bad", durable: true },
      );
      const rows = () => ({
        cursor: (
          journal.db.prepare("SELECT seq FROM cursors WHERE subscription = 'bad JOB'").get() as
            { seq: number } | undefined
        )?.seq,
        letters: (
          journal.db.prepare("SELECT count(*) AS n FROM dead_letters").get() as { n: number }
        ).n,
      });
      const seen: ReturnType<typeof rows>[] = [];
      // Runs after the dead letters' own hook: what a crash right before the batch would leave.
      journal.beforeFlush(() => seen.push(rows()));
      bus.publish("JOB", 1);
      journal.flush();
      expect(seen).toEqual([{ cursor: undefined, letters: 1 }]);
      expect(rows()).toEqual({ cursor: 1, letters: 1 });
    } finally {
      deadLetters.close();
      journal.close();
    }
  });
});
