/**
 * Fault tests of the journal through the built CLI (SPEC §5, docs/journal.md), each counting that
 * nothing acknowledged is lost: a manager SIGKILLed while events are published and consumed
 * (every event acknowledged with a 201 is delivered at least once after a restart, to a
 * subscriber that had it and to one that was still working on it); a subscriber that always
 * throws (every acknowledged event ends parked in the dead-letter queue, across a SIGKILL too);
 * a corrupt journal, a file that is not a database and a locked journal (exit 1 naming the file,
 * no stack trace, the state lock released); two managers started at the same instant (one wins,
 * its journal intact).
 */
import { spawn } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeFileSync,
  closeSync,
  writeSync,
} from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  eventuallyAsync,
  twoManagersAtOnce,
  type Run,
  type Workspace,
  workspacePerTest,
} from "../support/manager-run.ts";
import { eventually } from "../support/process-harness.ts";
import { repoRoot } from "../support/run-warden.ts";

const workspace = workspacePerTest();
const fixtures = join(repoRoot, "test/fixtures");

interface Api {
  url: string;
  token: string;
}

/** The running manager's control URL and token, once it has written them. */
async function apiOf(space: Workspace): Promise<Api> {
  return eventually(
    () => {
      try {
        const { url } = JSON.parse(readFileSync(join(space.stateDir, "manager.json"), "utf8"));
        const token = readFileSync(join(space.stateDir, "token"), "utf8").trim();
        return typeof url === "string" && token !== "" ? { url, token } : undefined;
      } catch {
        return undefined;
      }
    },
    10_000,
    "manager.json and the token",
  );
}

/**
 * Publishes `type` with data `{ n }`, n = `from`, `from + 1`, …, from `concurrency` concurrent
 * POST /v1/events loops until `stop()` (or until the manager stops answering): `acked` holds the
 * n that got a 201 (journaled: the manager owes them), `refused` those that got another answer,
 * `inDoubt` those whose request failed (the manager died under it).
 */
function publisher(api: Api, type: string, from: number, concurrency = 8) {
  const acked = new Set<number>();
  const refused = new Set<number>();
  const inDoubt = new Set<number>();
  let next = from;
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      const n = next++;
      try {
        const response = await fetch(`${api.url}/v1/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${api.token}`, "content-type": "application/json" },
          body: JSON.stringify({ type, data: { n } }),
        });
        await response.arrayBuffer();
        (response.status === 201 ? acked : refused).add(n);
      } catch {
        inDoubt.add(n);
        return;
      }
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  return {
    acked,
    refused,
    inDoubt,
    published: () => next - from,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

/** The `n` of each line a recorder wrote, in order (a line per delivery). */
function deliveredNs(file: string, format: "json" | "plain"): number[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) =>
      format === "json"
        ? (JSON.parse(line) as { data: { n: number } }).data.n
        : Number(line.split(" ")[0]),
    );
}

function missing(acked: Iterable<number>, delivered: readonly number[]): number[] {
  const seen = new Set(delivered);
  return [...acked].filter((n) => !seen.has(n)).sort((a, b) => a - b);
}

function duplicates(delivered: readonly (number | string)[]): number {
  return delivered.length - new Set(delivered).size;
}

async function up(space: Workspace): Promise<Run> {
  const run = space.up();
  await run.waitForOutput(/daemons? running/);
  return run;
}

async function sigkill(run: Run): Promise<void> {
  run.child.kill("SIGKILL");
  await run.exited;
}

/** Resolves once `acked()` has `count` members, or after `ms`. */
async function untilAcked(acked: Set<number>, count: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (acked.size < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** No line of `text` is a stack frame. */
function expectNoStack(text: string): void {
  expect(text).not.toMatch(/^\s+at /m);
}

describe("journal faults: a manager SIGKILLed mid-stream", () => {
  it("delivers every acknowledged event at least once after a restart, to a subscriber that had it and to one still working on it", async () => {
    const space = workspace({});
    const fastFile = join(space.dir, "fast.jsonl");
    const slowFile = join(space.dir, "slow.txt");
    writeFileSync(
      space.config,
      JSON.stringify({
        server: { port: 0 },
        daemons: {
          // Appends each WORK synchronously as it is delivered: acknowledged when it returns.
          fast: {
            module: join(fixtures, "journal/recorder.mjs"),
            options: { file: fastFile, type: "WORK" },
          },
          // Appends each WORK 20–40 ms after its delivery: acknowledged only then.
          slow: {
            module: join(fixtures, "journal/slow-recorder.mjs"),
            options: { file: slowFile, type: "WORK", delayMs: 20 },
          },
        },
      }),
    );
    const first = await up(space);
    const before = publisher(await apiOf(space), "WORK", 0);
    await untilAcked(before.acked, 400, 10_000);
    expect(before.acked.size).toBeGreaterThan(0);
    await sigkill(first);
    await before.stop();

    // The kill came while the slow subscriber still had acknowledged events to write.
    const slowMissedAtKill = missing(before.acked, deliveredNs(slowFile, "plain"));
    const fastMissedAtKill = missing(before.acked, deliveredNs(fastFile, "json"));
    expect(slowMissedAtKill.length).toBeGreaterThan(0);

    // Started again, while more events are published during its catch-up.
    const second = await up(space);
    const after = publisher(await apiOf(space), "WORK", 1_000_000);
    await untilAcked(after.acked, 200, 10_000);
    await after.stop();
    expect(after.acked.size).toBeGreaterThan(0);
    const acked = [...before.acked, ...after.acked];
    await eventually(
      () =>
        missing(acked, deliveredNs(fastFile, "json")).length === 0 &&
        missing(acked, deliveredNs(slowFile, "plain")).length === 0
          ? true
          : undefined,
      15_000,
      "both subscribers to have every acknowledged WORK",
    ).catch(() => undefined);
    const fast = deliveredNs(fastFile, "json");
    const slow = deliveredNs(slowFile, "plain");
    const inDoubt = [...before.inDoubt];
    console.log(
      `[journal fault: SIGKILL] acknowledged ${before.acked.size} before the kill ` +
        `(+${after.acked.size} after), ${inDoubt.length} in doubt ` +
        `(${missing(inDoubt, fast).length} of them never delivered), refused ${before.refused.size + after.refused.size}; ` +
        `at the kill fast lacked ${fastMissedAtKill.length}, slow ${slowMissedAtKill.length}; ` +
        `after the restart: fast ${fast.length} deliveries (${duplicates(fast)} repeated), ` +
        `slow ${slow.length} (${duplicates(slow)} repeated)`,
    );
    expect(missing(acked, fast)).toEqual([]);
    expect(missing(acked, slow)).toEqual([]);
    expect(before.refused.size + after.refused.size).toBe(0);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  }, 60_000);
});

interface DeadLetters {
  entries: { event: { id: string; data: { n: number } }; attempts: number; parked: boolean }[];
  total: number;
  parked: number;
  evicted: number;
}

async function deadLetters(api: Api): Promise<DeadLetters> {
  const response = await fetch(`${api.url}/v1/dlq?limit=100000`, {
    headers: { authorization: `Bearer ${api.token}` },
  });
  if (response.status !== 200) throw new Error(`GET /v1/dlq: ${response.status}`);
  return (await response.json()) as DeadLetters;
}

describe("journal faults: a subscriber that always throws", () => {
  it("ends every acknowledged event in the dead-letter queue, parked, across a SIGKILL of the manager", async () => {
    const space = workspace({
      server: { port: 0 },
      dlq: { maxAttempts: 3, backoff: { initialMs: 50, maxMs: 100, factor: 2 } },
      daemons: { worker: { module: "./failing-worker.mjs" } },
    });
    copyFileSync(join(fixtures, "dlq/failing-worker.mjs"), join(space.dir, "failing-worker.mjs"));
    const first = await up(space);
    const before = publisher(await apiOf(space), "JOB", 0);
    await untilAcked(before.acked, 300, 10_000);
    await sigkill(first);
    await before.stop();

    const second = await up(space);
    const api = await apiOf(space);
    const after = publisher(api, "JOB", 1_000_000, 4);
    await untilAcked(after.acked, 100, 10_000);
    await after.stop();
    const acked = [...before.acked, ...after.acked];
    const settled = await eventuallyAsync(
      async () => {
        const queue = await deadLetters(api);
        const jobs = queue.entries.map((entry) => entry.event.data.n);
        return missing(acked, jobs).length === 0 && queue.parked === queue.total
          ? queue
          : undefined;
      },
      20_000,
      "every acknowledged JOB parked in the dead-letter queue",
    ).catch(() => undefined);
    const queue = settled ?? (await deadLetters(api));
    const jobs = queue.entries.map((entry) => entry.event.data.n);
    const ids = queue.entries.map((entry) => entry.event.id);
    console.log(
      `[journal fault: DLQ] acknowledged ${before.acked.size} before the kill (+${after.acked.size} after), ` +
        `${before.inDoubt.size} in doubt; ${queue.total} dead letters, ${queue.parked} parked, ` +
        `${queue.evicted} evicted, ${duplicates(ids)} for an event already in the queue`,
    );
    expect(missing(acked, jobs)).toEqual([]);
    expect(queue.evicted).toBe(0);
    expect(queue.parked).toBe(queue.total);
    // Every entry is a published JOB (acknowledged or in doubt), parked after maxAttempts.
    const published = new Set([...acked, ...before.inDoubt]);
    expect(jobs.filter((n) => !published.has(n))).toEqual([]);
    expect(queue.entries.every((entry) => entry.parked && entry.attempts === 3)).toBe(true);

    // Stopped in order, the journal holds them all: `dlq list` reads it without a manager.
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    const offline = await space.run(["dlq", "list", "--json"]);
    expect(offline.code, offline.stderr).toBe(0);
    expect((JSON.parse(offline.stdout) as unknown[]).length).toBe(queue.total);
  }, 60_000);
});

const SLEEPER = { command: "sleep", args: ["1000"] };

/** A damaged journal file's `warden up`: exit 1, the file named with advice, no stack trace. */
async function refusedToStart(space: Workspace, advice: RegExp): Promise<string> {
  const run = space.up();
  expect(await run.exited).toBe(1);
  const { stderr } = run.output();
  expect(stderr).toContain(join(space.stateDir, "journal.db"));
  expect(stderr).toMatch(advice);
  expectNoStack(stderr);
  // Nothing started, and the state lock released.
  expect(existsSync(join(space.stateDir, "pids", "sleeper.json"))).toBe(false);
  expect(existsSync(join(space.stateDir, "warden.lock"))).toBe(false);
  return stderr;
}

describe("journal faults: a journal warden cannot use", () => {
  it("a file that is not a database: exit 1 naming it and saying what to do; moved away, warden up works", async () => {
    const space = workspace({ server: { port: 0 }, daemons: { sleeper: SLEEPER } });
    mkdirSync(space.stateDir, { recursive: true });
    const file = join(space.stateDir, "journal.db");
    writeFileSync(file, "this is not a database, it is a text file\n".repeat(200));
    await refusedToStart(space, /is not a SQLite database: move it away/);
    expect(readFileSync(file, "utf8")).toMatch(/^this is not a database/);

    writeFileSync(file, "");
    const run = await up(space);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  });

  it("a corrupt journal (a damaged page): exit 1 naming it and saying what to do, no stack trace", async () => {
    const space = workspace({ server: { port: 0 }, daemons: { sleeper: SLEEPER } });
    const first = await up(space);
    const api = await apiOf(space);
    const events = publisher(api, "JOB", 0, 4);
    await untilAcked(events.acked, 300, 10_000);
    await events.stop();
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    // Closed in order: the WAL is checkpointed into the file. Its second page (the root of
    // `events`) is overwritten with garbage.
    const file = join(space.stateDir, "journal.db");
    expect(existsSync(`${file}-wal`)).toBe(false);
    const fd = openSync(file, "r+");
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, 4096);
    closeSync(fd);
    await refusedToStart(space, /is corrupt: move it away|is not a SQLite database/);
  });

  it("a journal locked by another process: exit 1 naming it; the state lock released, warden up works once the holder is gone", async () => {
    const space = workspace({ server: { port: 0 }, daemons: { sleeper: SLEEPER } });
    const first = await up(space);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    const file = join(space.stateDir, "journal.db");
    // Another process takes the file for itself: exclusive locking mode, in a write transaction.
    const holder = spawn(
      process.execPath,
      [
        "-e",
        `const Database = require(${JSON.stringify(createRequire(import.meta.url).resolve("better-sqlite3"))});
         const db = new Database(${JSON.stringify(file)});
         db.pragma("locking_mode = EXCLUSIVE");
         db.exec("BEGIN EXCLUSIVE");
         db.prepare("INSERT INTO inbox (type) VALUES ('HELD')").run();
         console.log("locked");
         process.stdin.on("end", () => process.exit(0));
         process.stdin.resume();`,
      ],
      { stdio: ["pipe", "pipe", "inherit"] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on("data", (chunk: Buffer) => {
          if (chunk.toString().includes("locked")) resolve();
        });
        holder.on("exit", (code) => reject(new Error(`the lock holder exited with ${code}`)));
      });
      const started = Date.now();
      const stderr = await refusedToStart(space, /is locked by another process/);
      console.log(
        `[journal fault: locked] refused after ${Date.now() - started} ms: ${stderr.trim()}`,
      );
    } finally {
      holder.stdin.end();
      await new Promise((resolve) => holder.once("exit", resolve));
    }
    const run = await up(space);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  }, 30_000);
});

describe("journal faults: two managers at the same instant", () => {
  it("one wins; the loser never holds the journal; the winner's journal is intact and journals events", async () => {
    const space = workspace({ server: { port: 0 }, daemons: { sleeper: SLEEPER } });
    const { winner, loser } = await twoManagersAtOnce(space);
    expect(await loser.exited).toBe(1);
    expect(loser.output().stderr).toMatch(/already runs on the state directory/);
    expect(loser.output().stderr).not.toContain("journal");
    await winner.waitForOutput(/daemons running/);
    const api = await apiOf(space);
    const events = publisher(api, "JOB", 0, 4);
    await untilAcked(events.acked, 50, 10_000);
    await events.stop();
    winner.child.kill("SIGTERM");
    expect(await winner.exited).toBe(0);

    const history = await space.run([
      "events",
      "--since",
      "1h",
      "--type",
      "JOB",
      "--limit",
      "100000",
      "--json",
    ]);
    expect(history.code, history.stderr).toBe(0);
    const journaled = history.stdout
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => (JSON.parse(line) as { data: { n: number } }).data.n);
    expect(missing(events.acked, journaled)).toEqual([]);
    const Database = createRequire(import.meta.url)("better-sqlite3");
    const db = new Database(join(space.stateDir, "journal.db"), { readonly: true });
    try {
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    } finally {
      db.close();
    }
  });
});
