/**
 * `POST /v1/events` with a journal (SPEC §5): answered 201 only once the event is journaled, and
 * 503 `journal_unavailable` — never 201 — when the journal cannot be written.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { EventHistory } from "../../../runtime/bus/event-history.ts";
import { createControlServer } from "../../../runtime/control/control-server.ts";
import { journalFile } from "../../../runtime/journal/journal-db.ts";
import { Journal } from "../../../runtime/journal/journal.ts";
import { DaemonManager } from "../../../runtime/manager/daemon-manager.ts";

const Database = createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
const TOKEN = "j".repeat(64);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve() {
  const stateDir = mkdtempSync(join(tmpdir(), "warden-control-journal-"));
  const journal = Journal.open(stateDir, { busyTimeoutMs: 20, retryMs: 60_000 });
  const manager = new DaemonManager({ captureEscapedErrors: false, stateDir, journal });
  const history = new EventHistory(manager.events$);
  const server = createControlServer({
    manager,
    history,
    token: TOKEN,
    readiness: () => [],
    metrics: async () => ({ contentType: "text/plain", text: "" }),
    info: { pid: process.pid, startedAt: Date.now(), stateDir, config: "/x/warden.json" },
    logger: pino({ level: "silent" }),
  });
  await server.listen({ host: "127.0.0.1", port: 0 });
  cleanups.push(async () => {
    await server.close();
    await manager.close();
    history.close();
    journal.close();
    rmSync(stateDir, { recursive: true, force: true });
  });
  const { port } = server.server.address() as AddressInfo;
  const post = (body: unknown) =>
    fetch(`http://127.0.0.1:${port}/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  return { stateDir, journal, post };
}

describe("POST /v1/events with a journal", () => {
  it("answers 201 once the event is in the journal file", async () => {
    const { stateDir, post } = await serve();
    const answer = await post({ type: "MODEL_SAVED", data: { epoch: 3 } });
    expect(answer.status).toBe(201);
    const envelope = (await answer.json()) as { id: string };
    const reader = new Database(journalFile(stateDir), { readonly: true });
    cleanups.push(() => void reader.close());
    expect(
      reader.prepare("SELECT id, type, data FROM events WHERE id = ?").get(envelope.id),
    ).toEqual({
      id: envelope.id,
      type: "MODEL_SAVED",
      data: '{"epoch":3}',
    });
  });

  it("answers 503 journal_unavailable when the journal cannot be written", async () => {
    const { stateDir, post } = await serve();
    const locker = new Database(journalFile(stateDir), { timeout: 5000 });
    cleanups.push(() => void locker.close());
    locker.exec("BEGIN IMMEDIATE"); // the journal's writes time out behind this lock
    cleanups.push(() => void locker.exec("ROLLBACK"));
    const answer = await post({ type: "MODEL_SAVED" });
    expect(answer.status).toBe(503);
    const { error } = (await answer.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("journal_unavailable");
    expect(error.message).toMatch(
      /^POST \/v1\/events: event \S+ was delivered to the running daemons but not journaled: journal .* is locked/,
    );
  });
});
