/**
 * CROSS_PROCESS_POLLER (runtime/builtins/cross-process-poller.ts) with a real journal in a
 * temporary state directory: what other connections and other processes — a plain Node
 * program using the documented SQL, Python through the adapter — append is delivered on the
 * bus in order, woken by the hint file or found by the poll, including what was appended while
 * no manager ran; bad rows are rejected loudly without stopping the others. Delivery is
 * asserted, never timing (the latencies are printed for the record).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../../actors/clock.ts";
import type { DaemonContext } from "../../../actors/daemon-types.ts";
import type { Envelope } from "../../../machines/envelope.ts";
import {
  INBOX_REJECTED,
  crossProcessPoller,
  type CrossProcessPollerOptions,
} from "../../../runtime/builtins/cross-process-poller.ts";
import { EventBus } from "../../../runtime/bus/event-bus.ts";
import { appendToInbox } from "../../../runtime/journal/inbox.ts";
import { journalFile } from "../../../runtime/journal/journal-db.ts";
import { Journal } from "../../../runtime/journal/journal.ts";
import { eventually } from "../../support/process-harness.ts";
import { repoRoot } from "../../support/run-warden.ts";

const Database = createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
const dirs: string[] = [];
const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0).reverse()) close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "warden-poller-"));
  dirs.push(dir);
  return dir;
}

/** A manager's journal and bus, and its poller started (`start: false`: made only). */
function manager(dir: string, options: Partial<CrossProcessPollerOptions> = {}, start = true) {
  const journal = Journal.open(dir);
  const bus = new EventBus({ clock: systemClock, journal });
  const poller = crossProcessPoller({ bus, journal, stateDir: dir, ...options });
  const logged: string[] = [];
  const ctx: DaemonContext = {
    name: "CROSS_PROCESS_POLLER",
    resources: {},
    signal: new AbortController().signal,
    bus: bus.client("CROSS_PROCESS_POLLER"),
    logger: {
      debug: () => {},
      info: () => {},
      warn: (message) => void logged.push(message),
      error: (message) => void logged.push(message),
    },
    heartbeat: () => {},
    fail: (error) => {
      throw error;
    },
  };
  let started = false;
  const run = () => {
    poller.start(ctx);
    started = true;
  };
  closers.push(() => {
    if (started) poller.stop(ctx);
    journal.close();
  });
  if (start) run();
  return { journal, bus, poller, logged, start: run };
}

/** Collects every event of `type` as it is delivered, with its delivery time. */
function collect(bus: EventBus, type: string) {
  const seen: { envelope: Envelope; at: number }[] = [];
  bus.subscribe(type, (envelope) => void seen.push({ envelope, at: Date.now() }));
  return seen;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: repoRoot, env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", ...env } },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

describe("CROSS_PROCESS_POLLER", () => {
  it("delivers at start what was appended while no manager ran, to a durable subscriber that resumes", async () => {
    const dir = stateDir();
    const first = Journal.open(dir);
    const firstBus = new EventBus({ clock: systemClock, journal: first });
    firstBus.subscribe("JOB", () => {}, { subscriber: "worker", durable: true });
    await first.whenFlushed();
    first.close();

    for (let i = 0; i < 3; i++) appendToInbox(dir, { type: "JOB", data: { i }, source: "cron" });

    // As `warden up` does it: the poller (level 0) runs before the subscribing daemon.
    const { bus, poller } = manager(dir);
    const seen: number[] = [];
    bus.subscribe("JOB", (event) => void seen.push((event.data as { i: number }).i), {
      subscriber: "worker",
      durable: true,
    });
    await eventually(() => seen.length === 3 || undefined, 5000, "three JOB events");
    expect(seen).toEqual([0, 1, 2]);
    expect(poller.getMetrics()).toMatchObject({ delivered: 3, rejected: 0, mode: "hint" });
    expect(poller.healthCheck()).toEqual({ healthy: true });
  });

  it("wakes on the hint file: delivered without waiting for the poll", async () => {
    const dir = stateDir();
    const { bus, poller } = manager(dir, { pollMs: 3_600_000 });
    const seen = collect(bus, "PING");
    const appended = appendToInbox(dir, { type: "PING", data: { n: 1 } });
    await eventually(() => seen.length === 1 || undefined, 5000, "PING");
    expect(seen[0]!.envelope).toEqual(appended);
    expect(poller.getMetrics().wakes).toBeGreaterThan(0);
  });

  it("finds rows by the poll when nobody touches the hint", async () => {
    const dir = stateDir();
    const { bus, poller } = manager(dir, { pollMs: 20, watchHint: false });
    const seen = collect(bus, "QUIET");
    const db = new Database(journalFile(dir), { timeout: 5000 });
    closers.push(() => db.close());
    db.prepare("INSERT INTO inbox (type, data) VALUES ('QUIET', '{\"n\":1}')").run();
    await eventually(() => seen.length === 1 || undefined, 5000, "QUIET");
    expect(seen[0]!.envelope).toMatchObject({ type: "QUIET", source: "external", data: { n: 1 } });
    expect(poller.getMetrics()).toMatchObject({ polled: 1, wakes: 0, mode: "poll" });
  });

  it("rejects bad rows loudly — counted, logged, announced — and delivers the others in order", async () => {
    const dir = stateDir();
    const { bus, poller, logged } = manager(dir, { pollMs: 20 });
    const seen = collect(bus, "*");
    const db = new Database(journalFile(dir), { timeout: 5000 });
    closers.push(() => db.close());
    const insert = db.prepare("INSERT INTO inbox (type, data) VALUES (?, ?)");
    insert.run("OK", '{"i":0}');
    insert.run("OK", "{broken");
    insert.run("OK", '{"i":1}');
    await eventually(() => seen.length === 3 || undefined, 5000, "three events");
    expect(seen.map(({ envelope }) => [envelope.type, envelope.data])).toEqual([
      ["OK", { i: 0 }],
      ["OK", { i: 1 }],
      [INBOX_REJECTED, { inboxSeq: 2, reason: expect.stringMatching(/^data is not JSON/) }],
    ]);
    expect(seen[2]!.envelope.source).toBe("CROSS_PROCESS_POLLER");
    expect(logged).toEqual([
      expect.stringMatching(/^inbox row 2 is not a valid event and was dropped: data is not JSON/),
    ]);
    expect(poller.getMetrics()).toMatchObject({ delivered: 2, rejected: 1 });
  });

  it("keeps the rows in the inbox while the journal cannot take them, and is unhealthy meanwhile", async () => {
    const dir = stateDir();
    const { bus, journal, poller, logged } = manager(dir, { pollMs: 20 });
    const seen = collect(bus, "LATER");
    journal.db.pragma("busy_timeout = 20");
    const db = new Database(journalFile(dir), { timeout: 5000 });
    closers.push(() => db.close());
    db.prepare("INSERT INTO inbox (type) VALUES ('LATER')").run();
    db.exec("BEGIN IMMEDIATE");
    await eventually(() => poller.getMetrics().failures > 0 || undefined, 5000, "a failed move");
    expect(poller.healthCheck()).toEqual({
      healthy: false,
      detail: expect.stringMatching(/^cannot move the inbox into the journal: .*locked/),
    });
    expect(logged).toHaveLength(1); // said once, not at every poll
    db.exec("ROLLBACK"); // nobody commits: the poller retries because it owes a move
    await eventually(() => seen.length === 1 || undefined, 5000, "LATER");
    expect(poller.healthCheck()).toEqual({ healthy: true });
  });

  it("delivers in order what separate processes append while it runs: Node (plain SQL) and Python (the adapter)", async () => {
    const dir = stateDir();
    const { bus, poller } = manager(dir);
    const seen = collect(bus, "SEQ_TEST");
    const count = 200;
    const python = [
      "import sys, time",
      "from warden_daemon.journal import append_event",
      `for i in range(${count}):`,
      `    append_event(sys.argv[1], "SEQ_TEST", {"i": i}, source="python")`,
      "    time.sleep(0.001)",
    ].join("\n");
    await Promise.all([
      run(process.execPath, [
        join(repoRoot, "test/fixtures/journal/append-events.mjs"),
        dir,
        String(count),
        "node",
      ]),
      run("python3", ["-c", python, dir], { PYTHONPATH: join(repoRoot, "python") }),
    ]);
    await eventually(() => seen.length === 2 * count || undefined, 10_000, `${2 * count} events`);
    for (const source of ["node", "python"]) {
      const order = seen
        .filter(({ envelope }) => envelope.source === source)
        .map(({ envelope }) => (envelope.data as { i: number }).i);
      expect(order).toEqual([...Array(count).keys()]);
    }
    expect(poller.getMetrics()).toMatchObject({ delivered: 2 * count, rejected: 0 });
    const latencies = seen.map(({ envelope, at }) => at - envelope.time);
    console.log(
      `cross-process latency over ${latencies.length} events: p50 ${percentile(latencies, 50)} ms, ` +
        `p99 ${percentile(latencies, 99)} ms, max ${Math.max(...latencies)} ms`,
    );
  });

  it("python3 -m warden_daemon.emit journals one event and prints its id", async () => {
    const dir = stateDir();
    const { bus } = manager(dir);
    const seen = collect(bus, "FROM_SHELL");
    const stdout = await run(
      "python3",
      [
        "-m",
        "warden_daemon.emit",
        "FROM_SHELL",
        "--data",
        '{"ok":true}',
        "--source",
        "sh",
        "--state-dir",
        dir,
      ],
      { PYTHONPATH: join(repoRoot, "python") },
    );
    await eventually(() => seen.length === 1 || undefined, 5000, "FROM_SHELL");
    expect(seen[0]!.envelope).toMatchObject({
      id: stdout.trim(),
      source: "sh",
      data: { ok: true },
    });
  });
});
