/**
 * The control and health API (docs/control-api.md) over real HTTP on 127.0.0.1, against a real
 * DaemonManager with small in-process daemons.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { connect, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createControlServer } from "../../../runtime/control/control-server.ts";
import { DaemonManager } from "../../../runtime/manager/daemon-manager.ts";
import type { DaemonContext, InProcessDaemon } from "../../../actors/daemon-types.ts";
import type { Envelope } from "../../../machines/envelope.ts";
import { EventHistory } from "../../../runtime/bus/event-history.ts";
import {
  call,
  openEventStream,
  until,
  within,
  type SseReader,
} from "../../support/control-client.ts";
import { rawConnection, rawExchange, type RawResponse } from "../../support/raw-http.ts";

const TOKEN = "a".repeat(64);
const METRICS_TEXT = "# TYPE warden_up gauge\nwarden_up 1\n";
const PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

/**
 * Starts after `startMs` (`laterStartMs` from its second start on), or when its start is
 * cancelled; stops at once.
 */
function daemon(startMs = 0, laterStartMs = startMs): InProcessDaemon {
  let starts = 0;
  return {
    start: (ctx: DaemonContext) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, starts++ === 0 ? startMs : laterStartMs);
        ctx.signal.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        });
      }),
    stop() {},
  };
}

const broken: InProcessDaemon = {
  start: () => Promise.reject(new Error("cannot open the port")),
  stop() {},
};

interface Setup {
  base: string;
  port: number;
  server: ReturnType<typeof createControlServer>;
  manager: DaemonManager;
  history: EventHistory;
  stateDir: string;
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
const streams: SseReader[] = [];
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/**
 * db ← api (30 ms to start), worker, broken (never starts, no restarts), sleepy (5 s to start),
 * slow-again (5 s to start but the first time); /readyz waits for api and worker.
 */
async function setup(
  options: {
    metrics?: () => Promise<{ contentType: string; text: string }>;
    problems?: () => readonly string[];
  } = {},
): Promise<Setup> {
  const stateDir = mkdtempSync(join(tmpdir(), "warden-control-"));
  const manager = new DaemonManager({ captureEscapedErrors: false, stateDir });
  const history = new EventHistory(manager.events$);
  manager.register("db", daemon());
  manager.register("api", daemon(30), { dependsOn: ["db"] });
  manager.register("worker", daemon());
  manager.register("broken", broken, { restart: "never" });
  manager.register("sleepy", daemon(5_000));
  manager.register("slow-again", daemon(0, 5_000));
  const logs: Record<string, unknown>[] = [];
  const logger = pino(
    { level: "warn" },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    }),
  );
  const server = createControlServer({
    manager,
    history,
    token: TOKEN,
    readiness: () => ["db", "api", "worker"],
    ...(options.problems ? { problems: options.problems } : {}),
    metrics: options.metrics ?? (async () => ({ contentType: PROMETHEUS, text: METRICS_TEXT })),
    info: { pid: process.pid, startedAt: Date.now() - 2_000, stateDir, config: "/x/warden.json" },
    logger,
  });
  await server.listen({ host: "127.0.0.1", port: 0 });
  const { port } = server.server.address() as AddressInfo;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await server.close();
    await manager.close();
    history.close();
    rmSync(stateDir, { recursive: true, force: true });
  };
  cleanups.push(close);
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    server,
    manager,
    history,
    stateDir,
    logs,
    close,
  };
}

async function follow(base: string, path: string, headers?: Record<string, string>) {
  const stream = await openEventStream(base, path, TOKEN, headers);
  streams.push(stream);
  return stream;
}

const post = (base: string, path: string, extra: Parameters<typeof call>[2] = {}) =>
  call(base, path, { method: "POST", token: TOKEN, ...extra });

const errorOf = (body: unknown) => (body as { error: { code: string; message: string } }).error;

describe("control server: probes", () => {
  it("GET /healthz answers without a token and without looking at the daemons", async () => {
    const { base } = await setup();
    const { status, body } = await call(base, "/healthz");
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "ok", pid: process.pid });
    expect(body.uptimeSeconds).toBeGreaterThanOrEqual(2);
  });

  it("GET /readyz is 503 with what is not RUNNING, then 200 once everything is", async () => {
    const { base, manager } = await setup();
    await manager.start("db");
    const before = await call(base, "/readyz");
    expect(before.status).toBe(503);
    expect(before.body).toEqual({
      ready: false,
      notReady: [
        { name: "api", state: "PENDING" },
        { name: "worker", state: "PENDING" },
      ],
    });
    await manager.startMany(["api", "worker"]);
    const after = await call(base, "/readyz");
    expect(after).toMatchObject({ status: 200, body: { ready: true } });
  });

  it("GET /readyz is 503 with the manager's own problems, even with every daemon RUNNING", async () => {
    let problems: string[] = ["cannot restore the state directory /x/.warden: EACCES"];
    const { base, manager } = await setup({ problems: () => problems });
    await manager.startMany(["api", "worker"]);
    const degraded = await call(base, "/readyz");
    expect(degraded.status).toBe(503);
    expect(degraded.body).toEqual({ ready: false, notReady: [], problems });
    problems = [];
    expect(await call(base, "/readyz")).toMatchObject({ status: 200, body: { ready: true } });
  });

  it("GET /metrics passes the exposition through with its content type", async () => {
    const { base } = await setup();
    const { status, headers, text } = await call(base, "/metrics");
    expect(status).toBe(200);
    expect(headers.get("content-type")).toBe(PROMETHEUS);
    expect(text).toBe(METRICS_TEXT);
  });

  it("a route that throws is a 500 internal, logged, and the server keeps answering", async () => {
    const { base, logs } = await setup({
      metrics: () => Promise.reject(new Error("registry exploded")),
    });
    const { status, body } = await call(base, "/metrics");
    expect(status).toBe(500);
    expect(errorOf(body).code).toBe("internal");
    expect(errorOf(body).message).toContain("registry exploded");
    expect(logs).toContainEqual(expect.objectContaining({ level: 50, method: "GET" }));
    expect((await call(base, "/healthz")).status).toBe(200);
  });
});

describe("control server: authentication", () => {
  it("/v1 without a token, with a malformed header or a wrong token is 401", async () => {
    const { base } = await setup();
    const answers = [
      await call(base, "/v1/status"),
      await call(base, "/v1/status", { headers: { authorization: `Basic ${TOKEN}` } }),
      await call(base, "/v1/status", { token: "b".repeat(64) }),
      await call(base, "/v1/status", { token: TOKEN.slice(1) }),
      await call(base, "/v1/no-such-route"),
    ];
    for (const { status, headers, body } of answers) {
      expect(status).toBe(401);
      expect(headers.get("www-authenticate")).toBe("Bearer");
      expect(errorOf(body).code).toBe("unauthorized");
    }
    expect(errorOf(answers[0]!.body).message).toContain("no Authorization header");
    expect(errorOf(answers[2]!.body).message).toContain("wrong token");
  });

  it("a refused POST changes nothing, and its body is not even read", async () => {
    const { base, manager, history } = await setup();
    await manager.start("worker");
    const before = history.recent().length;
    const stop = await call(base, "/v1/daemons/worker/stop", { method: "POST", token: "x" });
    const emit = await call(base, "/v1/events", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{ not json",
    });
    expect([stop.status, emit.status]).toEqual([401, 401]);
    expect(manager.stateOf("worker")).toBe("RUNNING");
    expect(history.recent().length).toBe(before);
  });
});

describe("control server: /v1 daemons", () => {
  it("GET /v1/status describes the manager and every daemon in registration order", async () => {
    const { base, manager, stateDir } = await setup();
    await manager.start("worker");
    const { status, body } = await call<{
      manager: Record<string, unknown>;
      daemons: { name: string; state: string }[];
    }>(base, "/v1/status", { token: TOKEN });
    expect(status).toBe(200);
    expect(body.manager).toMatchObject({ pid: process.pid, stateDir, config: "/x/warden.json" });
    expect(body.manager.uptimeSeconds).toBeGreaterThanOrEqual(2);
    expect(body.daemons.map((d) => [d.name, d.state])).toEqual([
      ["db", "PENDING"],
      ["api", "PENDING"],
      ["worker", "RUNNING"],
      ["broken", "PENDING"],
      ["sleepy", "PENDING"],
      ["slow-again", "PENDING"],
    ]);
  });

  it("GET /v1/daemons/:name is its DaemonStatus; an unknown name is 404 with a suggestion", async () => {
    const { base, manager } = await setup();
    const known = await call(base, "/v1/daemons/worker", { token: TOKEN });
    expect(known).toMatchObject({ status: 200, body: manager.statusOf("worker") });
    const unknown = await call(base, "/v1/daemons/wroker", { token: TOKEN });
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown.body).code).toBe("unknown_daemon");
    expect(errorOf(unknown.body).message).toContain('did you mean "worker"?');
    const action = await post(base, "/v1/daemons/wroker/restart?wait=false");
    expect(action.status).toBe(404);
    expect(errorOf(action.body).code).toBe("unknown_daemon");
  });

  it("start (with dependencies), stop and restart answer 200 once done", async () => {
    const { base, manager } = await setup();
    const started = await post(base, "/v1/daemons/api/start");
    expect(started).toMatchObject({ status: 200, body: { name: "api", state: "RUNNING" } });
    expect(manager.stateOf("db")).toBe("RUNNING");
    const restarted = await post(base, "/v1/daemons/api/restart", {
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(restarted).toMatchObject({ status: 200, body: { state: "RUNNING", restarts: 1 } });
    const stopped = await post(base, "/v1/daemons/api/stop");
    expect(stopped).toMatchObject({ status: 200, body: { state: "STOPPED" } });
    const again = await post(base, "/v1/daemons/api/stop");
    expect(again).toMatchObject({ status: 200, body: { state: "STOPPED" } });
  });

  it("wait=false answers 202 at once, before the daemon is up", async () => {
    const { base, manager } = await setup();
    const { status, body } = await post(base, "/v1/daemons/sleepy/start?wait=false");
    expect(status).toBe(202);
    expect(body).toMatchObject({ name: "sleepy" });
    expect(body.state).not.toBe("RUNNING");
    await until(() => manager.stateOf("sleepy") === "STARTING", 2_000, "sleepy STARTING");
  });

  it("a daemon that reaches FAILED meanwhile is 409 daemon_failed", async () => {
    const { base } = await setup();
    const { status, body } = await post(base, "/v1/daemons/broken/start");
    expect(status).toBe(409);
    expect(errorOf(body).code).toBe("daemon_failed");
    expect(errorOf(body).message).toContain("cannot open the port");
  });

  it("timeoutMs bounds the wait with 504 timeout; the daemon keeps going", async () => {
    const { base, manager } = await setup();
    const { status, body } = await post(base, "/v1/daemons/sleepy/start?timeoutMs=100");
    expect(status).toBe(504);
    expect(errorOf(body).code).toBe("timeout");
    expect(errorOf(body).message).toContain("STARTING");
    expect(manager.stateOf("sleepy")).toBe("STARTING");
  });

  it("a restart that a stop interrupts is 409 daemon_stopped, not a hang", async () => {
    const { base, manager } = await setup();
    await manager.start("slow-again");
    const restart = post(base, "/v1/daemons/slow-again/restart?timeoutMs=4000");
    await until(() => manager.stateOf("slow-again") === "STARTING", 2_000, "slow-again restarting");
    await post(base, "/v1/daemons/slow-again/stop");
    const { status, body } = await restart;
    expect(status).toBe(409);
    expect(errorOf(body).code).toBe("daemon_stopped");
  });

  it("a restart while the daemon is already STARTING waits for it to run", async () => {
    const { base, manager } = await setup();
    await post(base, "/v1/daemons/api/start?wait=false");
    await until(() => manager.stateOf("api") === "STARTING", 2_000, "api STARTING");
    const { status, body } = await post(base, "/v1/daemons/api/restart?timeoutMs=3000");
    expect(status).toBe(200);
    expect(body.state).toBe("RUNNING");
  });

  it("10 concurrent restarts of one daemon all answer 200 and it ends RUNNING", async () => {
    const { base, manager } = await setup();
    await manager.start("api");
    const states: string[] = [];
    const answers = [];
    // Staggered so that requests land in RUNNING, RESTARTING and STARTING alike.
    for (let i = 0; i < 10; i++) {
      answers.push(post(base, "/v1/daemons/api/restart?timeoutMs=5000"));
      states.push(manager.stateOf("api"));
      await new Promise((resolve) => setTimeout(resolve, 7));
    }
    const settled = await Promise.all(answers);
    expect(settled.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    expect(settled.every((answer) => answer.body.state === "RUNNING")).toBe(true);
    expect(manager.stateOf("api")).toBe("RUNNING");
    expect(new Set(states).size).toBeGreaterThan(1);
  });
});

describe("control server: bad input", () => {
  it("an unknown route or method is 404 not_found", async () => {
    const { base } = await setup();
    for (const answer of [
      await call(base, "/nope"),
      await call(base, "/v1/daemons/api/start", { token: TOKEN }),
      await call(base, "/healthz", { method: "DELETE" }),
    ]) {
      expect(answer.status).toBe(404);
      expect(errorOf(answer.body).code).toBe("not_found");
    }
  });

  it("malformed JSON is 400 bad_json; JSON of the wrong shape is 400 bad_request", async () => {
    const { base } = await setup();
    const json = { "content-type": "application/json" };
    const malformed = await post(base, "/v1/events", { headers: json, body: '{"type": ' });
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed.body)).toEqual({
      code: "bad_json",
      message: "POST /v1/events: the body is not valid JSON",
    });
    const array = await post(base, "/v1/daemons/worker/start", { headers: json, body: "[1]" });
    expect(array.status).toBe(400);
    expect(errorOf(array.body).code).toBe("bad_request");
  });

  it("a body over the limit is 413 body_too_large", async () => {
    const { base } = await setup();
    const body = JSON.stringify({ type: "BIG", data: "x".repeat(70 * 1024) });
    const { status, body: answer } = await post(base, "/v1/events", {
      headers: { "content-type": "application/json" },
      body,
    });
    expect(status).toBe(413);
    expect(errorOf(answer).code).toBe("body_too_large");
  });

  it("a body that is not application/json is 415 unsupported_media", async () => {
    const { base } = await setup();
    const { status, body } = await post(base, "/v1/events", {
      headers: { "content-type": "text/plain" },
      body: "type=X",
    });
    expect(status).toBe(415);
    expect(errorOf(body).code).toBe("unsupported_media");
    expect(errorOf(body).message).toContain('"text/plain"');
  });

  it("unknown or malformed query parameters are 400 bad_request naming them", async () => {
    const { base } = await setup();
    const cases: [string, string][] = [
      ["/v1/daemons/worker/start?timeoutMS=5", 'did you mean "timeoutMs"?'],
      ["/v1/daemons/worker/start?timeoutMs=soon", "timeoutMs must be an integer"],
      ["/v1/daemons/worker/start?wait=maybe", "wait must be true or false"],
      ["/v1/daemons/worker/start?wait=true&wait=false", "wait is given 2 times"],
    ];
    for (const [path, message] of cases) {
      const { status, body } = await post(base, path);
      expect(status).toBe(400);
      expect(errorOf(body).code).toBe("bad_request");
      expect(errorOf(body).message).toContain(message);
    }
    const limit = await call(base, "/v1/events?limit=5000", { token: TOKEN });
    expect(limit.status).toBe(400);
    expect(errorOf(limit.body).message).toContain("limit must be an integer from 0 to 1000");
  });
});

describe("control server: errors of the HTTP layer", () => {
  /** The documented shape and nothing else, as JSON. */
  const documented = (response: RawResponse | undefined, status: number, code: string) => {
    expect(response?.status).toBe(status);
    expect(response?.headers["content-type"]).toMatch(/^application\/json/);
    const body = JSON.parse(response!.body) as unknown;
    expect(body).toEqual({ error: { code, message: expect.any(String) } });
    return errorOf(body).message;
  };

  it("headers over Node's limit are 431 headers_too_large, then the connection closes", async () => {
    const { port, base } = await setup();
    const [answer, ...more] = await rawExchange(
      port,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20 * 1024)}\r\n\r\n`,
    );
    expect(documented(answer, 431, "headers_too_large")).toMatch(/over the limit of 16384 bytes/);
    expect(more).toEqual([]);
    expect((await call(base, "/healthz")).status).toBe(200);
  });

  it("what the HTTP parser rejects is 400 bad_request", async () => {
    const { port } = await setup();
    const requests = [
      "GARBAGE\r\n\r\n",
      "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
      "POST /v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ];
    for (const request of requests) {
      const [answer] = await rawExchange(port, request);
      expect(documented(answer, 400, "bad_request")).toMatch(/malformed HTTP request/);
    }
  });

  it("an HTTP/1.1 request without Host is 400 bad_request, not an empty answer", async () => {
    const { port } = await setup();
    const [answer] = await rawExchange(port, "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n");
    expect(documented(answer, 400, "bad_request")).toMatch(/Host header/);
  });

  it("an Expect header other than 100-continue is 417 in the documented shape", async () => {
    const { port } = await setup();
    const [answer] = await rawExchange(
      port,
      "GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nConnection: close\r\n\r\n",
    );
    expect(documented(answer, 417, "bad_request")).toMatch(/"Expect: teapot"/);
  });

  it("a request that arrives while the server closes is 503 shutting_down", async () => {
    const { port, server, manager } = await setup();
    const connection = rawConnection(port);
    connection.send(
      `POST /v1/daemons/sleepy/start?timeoutMs=300 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`,
    );
    await until(() => manager.stateOf("sleepy") === "STARTING", 5_000, "sleepy to start");
    const closing = server.close();
    await until(() => !server.server.listening, 5_000, "the server to stop listening");
    connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    await within(connection.closed, 5_000, "the connection to close");
    const [first, second] = connection.responses();
    expect(first?.status).toBe(504);
    documented(second, 503, "shutting_down");
    await closing;
  });
});

describe("control server: events", () => {
  it("GET /v1/events gives recent events oldest first, filtered by type and limited", async () => {
    const { base, manager } = await setup();
    await manager.start("worker");
    await manager.start("db");
    type Events = { events: Envelope[] };
    const all = await call<Events>(base, "/v1/events", { token: TOKEN });
    expect(
      all.body.events.map((e) => `${e.type}:${(e.data as { daemon: string }).daemon}`),
    ).toEqual([
      "DAEMON_STARTING:worker",
      "DAEMON_STARTED:worker",
      "DAEMON_STARTING:db",
      "DAEMON_STARTED:db",
    ]);
    const started = await call<Events>(base, "/v1/events?type=DAEMON_STARTED", { token: TOKEN });
    expect(started.body.events.map((e) => e.id)).toEqual([
      all.body.events[1]!.id,
      all.body.events[3]!.id,
    ]);
    const both = await call<Events>(base, "/v1/events?type=DAEMON_STARTED,X&type=Y&limit=1", {
      token: TOKEN,
    });
    expect(both.body.events).toEqual([all.body.events[3]]);
  });

  it("POST /v1/events publishes on the bus as source api and answers 201 with the envelope", async () => {
    const { base, manager } = await setup();
    const received: Envelope[] = [];
    manager.bus.subscribe("MODEL_SAVED", (event) => void received.push(event));
    const { status, body } = await post(base, "/v1/events", {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "MODEL_SAVED", data: { step: 100 } }),
    });
    expect(status).toBe(201);
    expect(body).toMatchObject({ type: "MODEL_SAVED", source: "api", data: { step: 100 } });
    expect(received).toEqual([body]);
  });

  it("POST /v1/events follows the notify rules: DAEMON_ types and bad shapes are 400", async () => {
    const { base, manager } = await setup();
    const received: Envelope[] = [];
    manager.bus.subscribe("*", (event) => void received.push(event));
    const cases: [unknown, string][] = [
      [{ type: "DAEMON_STARTED", data: { daemon: "api" } }, "reserved"],
      [{ type: "" }, "must not be empty"],
      [{ type: "HAS SPACE" }, "whitespace"],
      [{ type: "T".repeat(201) }, "at most 200 characters"],
      [{ tpye: "X" }, 'did you mean "type"?'],
      [{ data: {} }, '"type" string'],
      [["X"], "JSON object"],
    ];
    for (const [body, message] of cases) {
      const answer = await post(base, "/v1/events", {
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(errorOf(answer.body).code).toBe("bad_request");
      expect(errorOf(answer.body).message).toContain(message);
      expect(errorOf(answer.body).message).toMatch(/^POST \/v1\/events: /);
    }
    expect(received).toEqual([]);
  });

  it("follow=true streams lifecycle events live, as SSE frames", async () => {
    const { base } = await setup();
    const stream = await follow(base, "/v1/events?follow=true");
    expect(stream.response.headers["content-type"]).toContain("text/event-stream");
    await post(base, "/v1/daemons/worker/start");
    const started = await stream.next((f) => f.event === "DAEMON_STARTED");
    const envelope = JSON.parse(started.data!) as Envelope;
    expect(envelope).toMatchObject({ id: started.id, type: "DAEMON_STARTED", source: "warden" });
    expect(envelope.data).toMatchObject({ daemon: "worker", from: "STARTING", reason: "ready" });
    await post(base, "/v1/daemons/worker/stop");
    await stream.next((f) => f.event === "DAEMON_STOPPED");
    expect(stream.frames.filter((f) => f.event).map((f) => f.event)).toEqual([
      "DAEMON_STARTING",
      "DAEMON_STARTED",
      "DAEMON_STOPPING",
      "DAEMON_STOPPED",
    ]);
  });

  it("Accept: text/event-stream follows too, with a type filter and a backlog", async () => {
    const { base, manager } = await setup();
    await manager.start("worker");
    await manager.start("db");
    const stream = await follow(base, "/v1/events?type=DAEMON_STARTED&limit=1", {
      accept: "text/event-stream",
    });
    manager.bus.publish("NOISE", {});
    await manager.start("api");
    await stream.next((f) => f.data?.includes('"daemon":"api"') === true);
    const daemons = stream.frames
      .filter((f) => f.event)
      .map(
        (f) => `${f.event}:${(JSON.parse(f.data!) as { data: { daemon: string } }).data.daemon}`,
      );
    expect(daemons).toEqual(["DAEMON_STARTED:db", "DAEMON_STARTED:api"]);
  });

  it("a client that does not read is dropped once 1 MiB is queued; the others keep going", async () => {
    const { base, manager } = await setup();
    const reader = await follow(base, "/v1/events?follow=true&type=BULK");
    const { port } = new URL(base);
    const stalled = connect(Number(port), "127.0.0.1");
    stalled.write(
      `GET /v1/events?follow=true&type=BULK HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`,
    );
    let received = 0;
    stalled.once("data", (chunk: Buffer) => {
      received += chunk.length;
      stalled.pause();
    });
    await until(() => received > 0, 5_000, "the stalled client's headers");
    const closed = new Promise<void>((resolve) => stalled.once("close", () => resolve()));
    stalled.on("error", () => {}); // the server may reset the connection
    const payload = "x".repeat(16 * 1024);
    const events = 1000; // 16 MiB: more than the kernel's socket buffers and 1 MiB on top
    for (let i = 0; i < events; i++) {
      manager.bus.publish("BULK", { i, payload });
      // A breath every 256 KiB lets a client that reads keep up.
      if (i % 16 === 15) await new Promise((resolve) => setImmediate(resolve));
    }
    stalled.on("data", (chunk: Buffer) => (received += chunk.length));
    stalled.resume();
    await within(closed, 5_000, "the server to drop the stalled client");
    expect(received).toBeLessThan(events * payload.length);
    await reader.next((f) => f.data?.includes(`"i":${events - 1},`) === true, 10_000);
    expect(reader.frames.filter((f) => f.event === "BULK")).toHaveLength(events);
  }, 20_000);
});
