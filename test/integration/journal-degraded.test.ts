/**
 * A full disk under a running manager (docs/journal.md, "Degraded mode"): a real DaemonManager
 * over a real Journal and JournalDeadLetters, with the real control server, whose file may not
 * grow (`PRAGMA max_page_count` at its current size: every new page fails with SQLITE_FULL, as on
 * a full disk). The manager keeps supervising and delivering, says so on `/readyz` and in
 * `GET /v1/status`, answers publishes 503, and once the file may grow again writes the events,
 * the dead letters and the subscriber's position it kept meanwhile, losing none.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { DaemonContext, InProcessDaemon } from "../../actors/daemon-types.ts";
import { EventHistory } from "../../runtime/bus/event-history.ts";
import { createControlServer } from "../../runtime/control/control-server.ts";
import { JournalDeadLetters } from "../../runtime/journal/dead-letter-store.ts";
import { Journal } from "../../runtime/journal/journal.ts";
import { DaemonManager } from "../../runtime/manager/daemon-manager.ts";
import { call } from "../support/control-client.ts";
import { eventuallyAsync } from "../support/manager-run.ts";

const TOKEN = "b".repeat(64);
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Subscribes to WORK with `handler`. */
function subscriber(handler: (n: number) => void): InProcessDaemon {
  return {
    start(ctx: DaemonContext) {
      ctx.bus.subscribe("WORK", (event) => handler((event.data as { n: number }).n));
    },
    stop() {},
  };
}

async function setUp() {
  const stateDir = mkdtempSync(join(tmpdir(), "warden-degraded-"));
  const journal = Journal.open(stateDir, { retryMs: 50 });
  const deadLetters = JournalDeadLetters.open(journal, { retryMs: 50 });
  const manager = new DaemonManager({
    captureEscapedErrors: false,
    stateDir,
    journal,
    deadLetters,
  });
  const history = new EventHistory(manager.events$);
  const received: number[] = [];
  manager.register(
    "recorder",
    subscriber((n) => received.push(n)),
  );
  manager.register(
    "thrower",
    subscriber((n) => {
      throw new Error(`cannot do ${n}`);
    }),
  );
  // Crashes when the test says so (ctx.fail), and is restarted at once.
  let crash: ((error: Error) => void) | undefined;
  manager.register(
    "crasher",
    {
      start(ctx) {
        crash = (error) => ctx.fail(error);
      },
      stop() {},
    },
    { backoff: { initialMs: 10, maxMs: 10, factor: 1 } },
  );
  const server = createControlServer({
    manager,
    history,
    token: TOKEN,
    readiness: () => ["recorder", "thrower", "crasher"],
    problems: () => (journal.degraded ? [journal.degraded.error.message] : []),
    metrics: async () => ({ contentType: "text/plain", text: "" }),
    info: { pid: process.pid, startedAt: Date.now(), stateDir, config: "/x/warden.json" },
    logger: pino({ level: "silent" }),
  });
  await server.listen({ host: "127.0.0.1", port: 0 });
  const base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  cleanups.push(async () => {
    await server.close();
    await manager.close();
    history.close();
    deadLetters.close();
    journal.close();
    rmSync(stateDir, { recursive: true, force: true });
  });
  await manager.startAll();
  return { base, manager, journal, deadLetters, received, crash: (error: Error) => crash!(error) };
}

const publish = (base: string, n: number) =>
  call(base, "/v1/events", {
    method: "POST",
    token: TOKEN,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ type: "WORK", data: { n } }),
  });

describe("a full disk under a running manager", () => {
  it("keeps supervising and delivering, says it is degraded, and loses nothing once it can write again", async () => {
    const { base, manager, journal, deadLetters, received, crash } = await setUp();
    expect((await call(base, "/readyz")).status).toBe(200);
    // The file may not grow from here.
    const pages = journal.db.pragma("page_count", { simple: true }) as number;
    journal.db.pragma(`max_page_count = ${pages}`);

    const acknowledged: number[] = [];
    let refused: { n: number; body: unknown } | undefined;
    for (let n = 0; n < 20_000 && refused === undefined; n++) {
      const answer = await publish(base, n);
      if (answer.status === 201) acknowledged.push(n);
      else refused = { n, body: answer.body };
    }
    expect(refused).toBeDefined();
    const error = (refused!.body as { error: { code: string; message: string } }).error;
    expect(error.code).toBe("journal_unavailable");
    expect(error.message).toContain(
      `journal ${journal.file} cannot grow: the disk is full (SQLITE_FULL)`,
    );
    expect(journal.degraded?.error.code).toBe("WARDEN_ERR_JOURNAL");

    // Said on /readyz and in the status.
    const ready = await call(base, "/readyz");
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({
      ready: false,
      notReady: [],
      problems: [expect.stringContaining("cannot grow: the disk is full")],
    });
    const status = await call(base, "/v1/status", { token: TOKEN });
    expect((status.body as { manager: { problems: string[] } }).manager.problems).toEqual([
      expect.stringContaining(journal.file),
    ]);

    // Delivered meanwhile, and dead-lettered in memory.
    const unjournaled = [refused!.n];
    for (let n = 100_000; n < 100_003; n++) {
      expect((await publish(base, n)).status).toBe(503);
      unjournaled.push(n);
    }
    const all = [...acknowledged, ...unjournaled];
    expect(received).toEqual(all);
    expect(manager.bus.deadLetters.size).toBe(all.length);

    // Supervising meanwhile: a crash is restarted.
    crash(new Error("boom"));
    await eventuallyAsync(
      async () => {
        const crasher = manager.status().find((daemon) => daemon.name === "crasher")!;
        return crasher.state === "RUNNING" && crasher.restarts === 1 ? true : undefined;
      },
      5_000,
      "the crasher restarted",
    );

    // The file may grow again: everything kept is written, and it is ready again.
    journal.db.pragma("max_page_count = 1073741823");
    await eventuallyAsync(
      async () => ((await call(base, "/readyz")).status === 200 ? true : undefined),
      5_000,
      "/readyz to answer 200 again",
    );
    expect((await publish(base, 200_000)).status).toBe(201);
    all.push(200_000);
    journal.flush();
    deadLetters.flush();
    expect(journal.degraded).toBeUndefined();
    expect(deadLetters.degraded).toBeUndefined();
    expect(journal.dropped).toBe(0);
    const rows = journal.db
      .prepare("SELECT seq, data FROM events WHERE type = 'WORK' ORDER BY seq")
      .all() as { seq: number; data: string }[];
    expect(rows.map((row) => (JSON.parse(row.data) as { n: number }).n)).toEqual(all);
    const letters = journal.db.prepare("SELECT event FROM dead_letters").all() as {
      event: string;
    }[];
    expect(
      letters
        .map((row) => (JSON.parse(row.event) as { data: { n: number } }).data.n)
        .sort((a, b) => a - b),
    ).toEqual([...all].sort((a, b) => a - b));
    // The subscriber's acknowledged position is the last WORK: nothing is delivered again.
    const cursor = journal.db
      .prepare("SELECT seq FROM cursors WHERE subscription = 'recorder WORK'")
      .get() as { seq: number };
    expect(cursor.seq).toBe(rows.at(-1)!.seq);
  });
});
