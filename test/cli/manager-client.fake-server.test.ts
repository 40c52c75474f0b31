import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { locateManager, type ManagerTarget } from "../../cli/locate-manager.ts";
import { ManagerClient } from "../../cli/manager-client.ts";
import type { SseEvent } from "../../cli/sse-parser.ts";
import { isWardenError, type WardenError } from "../../machines/errors.ts";

const TOKEN = "a".repeat(64);
type Handler = (request: IncomingMessage, response: ServerResponse) => void;

let server: Server;
let url: string;
let handler: Handler;
let seen: { method?: string; url?: string; authorization?: string; body: string }[] = [];
let dir: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
    request.on("end", () => {
      const { method, url, headers } = request;
      seen.push({ method, url, authorization: headers.authorization, body });
      handler(request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), "warden-client-"));
});

afterEach(() => {
  seen = [];
  server.closeAllConnections();
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const target = (fields: Partial<ManagerTarget> = {}): ManagerTarget => ({
  url,
  token: TOKEN,
  tokenSource: "the token given with --token",
  ...fields,
});

const json = (status: number, body: unknown): Handler => {
  return (_request, response) => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  };
};

async function failure(promise: Promise<unknown>): Promise<WardenError> {
  const error = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!isWardenError(error)) throw new Error(`expected a WardenError, got ${String(error)}`);
  return error;
}

describe("ManagerClient requests", () => {
  it("sends the bearer token and JSON, and parses the JSON answer", async () => {
    handler = json(200, { ok: true });
    const client = new ManagerClient(target());
    expect(await client.get("/v1/status")).toEqual({ ok: true });
    expect(await client.post("/v1/events", { type: "X", data: [1] })).toEqual({ ok: true });
    expect(await client.post("/v1/daemons/a%20b/stop?timeoutMs=5")).toEqual({ ok: true });
    expect(seen).toEqual([
      { method: "GET", url: "/v1/status", authorization: `Bearer ${TOKEN}`, body: "" },
      {
        method: "POST",
        url: "/v1/events",
        authorization: `Bearer ${TOKEN}`,
        body: '{"type":"X","data":[1]}',
      },
      {
        method: "POST",
        url: "/v1/daemons/a%20b/stop?timeoutMs=5",
        authorization: `Bearer ${TOKEN}`,
        body: "",
      },
    ]);
  });

  it("keeps the path of a URL behind a proxy", async () => {
    handler = json(200, {});
    await new ManagerClient(target({ url: `${url}/warden` })).get("/v1/status");
    expect(seen[0]?.url).toBe("/warden/v1/status");
  });

  it.each([
    [404, "unknown_daemon", "WARDEN_ERR_UNKNOWN_DAEMON", 2],
    [400, "bad_request", "WARDEN_ERR_USAGE", 2],
    [409, "daemon_failed", "WARDEN_ERR_DAEMON_FAILED", 1],
    [409, "daemon_stopped", "WARDEN_ERR_DAEMON_STOPPED", 1],
    [504, "timeout", "WARDEN_ERR_WAIT_TIMEOUT", 1],
    [500, "internal", undefined, 1],
  ] as const)(
    "turns a %i %s error into a WardenError with its message",
    async (status, code, wardenCode, exit) => {
      handler = json(status, { error: { code, message: `what went wrong (${code})` } });
      const error = await failure(new ManagerClient(target()).post("/v1/daemons/x/start"));
      if (wardenCode !== undefined) expect(error.code).toBe(wardenCode);
      expect(error.exitCode).toBe(exit);
      expect(error.message).toBe(`what went wrong (${code})`);
      expect(error.cause).toEqual({ status, code });
    },
  );

  it("names the refused token on a 401", async () => {
    handler = json(401, { error: { code: "unauthorized", message: "no" } });
    const given = await failure(new ManagerClient(target()).get("/v1/status"));
    expect(given.exitCode).toBe(1);
    expect(given.message).toBe(`the token given with --token was refused by the manager at ${url}`);
    const missing = await failure(
      new ManagerClient(
        target({ token: undefined, tokenSource: "the token in .warden/token" }),
      ).get("/v1/status"),
    );
    expect(missing.message).toBe(
      `the manager at ${url} wants a token and there is none (the token in .warden/token does not exist); pass --token`,
    );
    expect(seen[1]?.authorization).toBeUndefined();
  });

  it("says what was asked when the answer is not the API's JSON", async () => {
    handler = (_request, response) => response.writeHead(502).end("<html>bad gateway</html>");
    const error = await failure(new ManagerClient(target()).get("/v1/status"));
    expect(error.message).toBe(`the manager at ${url} answered GET /v1/status with HTTP 502`);
    handler = (_request, response) => response.writeHead(200).end("{not json");
    const garbled = await failure(new ManagerClient(target()).get("/v1/status"));
    expect(garbled.message).toMatch(/answered GET \/v1\/status with something that is not JSON/);
  });

  it("gives up after the timeout with a message that says so", async () => {
    handler = () => {}; // never answers
    const error = await failure(new ManagerClient(target()).get("/v1/status", 200));
    expect(error.code).toBe("WARDEN_ERR_WAIT_TIMEOUT");
    expect(error.message).toBe(`the manager at ${url} did not answer GET /v1/status within 0.2 s`);
  });

  it("exits 3 when nothing listens at the URL, with the configuration's message if it has one", async () => {
    const closed = await closedPort();
    const direct = await failure(new ManagerClient(target({ url: closed })).get("/v1/status"));
    expect(direct.code).toBe("WARDEN_ERR_NOT_RUNNING");
    expect(direct.exitCode).toBe(3);
    expect(direct.message).toBe(`no manager answers at ${closed} (ECONNREFUSED)`);
    const notRunning =
      "no manager is running for w.json (state dir .warden); start one with: warden up --config w.json";
    const found = await failure(
      new ManagerClient(target({ url: closed, notRunning })).get("/v1/status"),
    );
    expect(found.message).toBe(notRunning);
    expect(found.details).toEqual([
      `its manager.json names ${closed}, which refuses connections (ECONNREFUSED)`,
    ]);
  });
});

describe("ManagerClient.follow", () => {
  const sse: Handler = (_request, response) => {
    response.writeHead(200, { "content-type": "text/event-stream" });
    // Cut through fields, lines and a multi-byte character, as TCP may.
    const text =
      ': keep-alive\n\nid: 1\nevent: A\ndata: {"n":1}\n\nid: 2\nevent: B\ndata: {"s":"ü✓"}\n\n';
    const bytes = Buffer.from(text);
    const cuts = [3, 20, 27, 40, bytes.indexOf(Buffer.from("✓")) + 1, bytes.length];
    let from = 0;
    for (const [i, cut] of cuts.entries()) {
      const piece = bytes.subarray(from, cut);
      from = cut;
      setTimeout(() => response.write(piece), 5 * i);
    }
  };

  it("reports each event of the stream and stops when its signal aborts", async () => {
    handler = sse;
    const stop = new AbortController();
    const received: SseEvent[] = [];
    let opened = false;
    const following = new ManagerClient(target()).follow(
      "/v1/events?follow=true",
      (event) => {
        received.push(event);
        if (received.length === 2) stop.abort();
      },
      { signal: stop.signal, onOpen: () => (opened = true) },
    );
    await expect(following).resolves.toBeUndefined();
    expect(opened).toBe(true);
    expect(received).toEqual([
      { id: "1", event: "A", data: '{"n":1}' },
      { id: "2", event: "B", data: '{"s":"ü✓"}' },
    ]);
    expect(seen[0]?.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it("rejects when the manager ends the stream, and on an error answer", async () => {
    handler = (_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.end("data: last\n\n");
    };
    const received: SseEvent[] = [];
    const ended = await failure(
      new ManagerClient(target()).follow("/v1/events?follow=true", (e) => received.push(e), {
        signal: new AbortController().signal,
      }),
    );
    expect(ended.message).toBe(`the manager at ${url} closed the event stream (did it stop?)`);
    expect(received.map((event) => event.data)).toEqual(["last"]);

    handler = json(400, { error: { code: "bad_request", message: "limit: expected 0 to 1000" } });
    const refused = await failure(
      new ManagerClient(target()).follow("/v1/events?limit=-1", () => {}, {
        signal: new AbortController().signal,
      }),
    );
    expect(refused.code).toBe("WARDEN_ERR_USAGE");
    expect(refused.message).toBe("limit: expected 0 to 1000");
  });
});

describe("locateManager", () => {
  const config = () => join(dir, "warden.config.json");
  const stateDir = () => join(dir, "state");

  beforeAll(() => {
    writeFileSync(config(), JSON.stringify({ stateDir: "state", daemons: {} }));
  });

  afterEach(() => rmSync(stateDir(), { recursive: true, force: true }));

  const notRunning =
    "no manager is running for warden.config.json (state dir state); start one with: warden up --config warden.config.json";

  it("is NOT_RUNNING (exit 3) without a manager.json, naming the configuration and how to start it", async () => {
    const error = await failure(locateManager({}, dir));
    expect(error.code).toBe("WARDEN_ERR_NOT_RUNNING");
    expect(error.message).toBe(notRunning);
  });

  it("is NOT_RUNNING when manager.json names a pid that is dead", async () => {
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    writeManagerJson({ pid: dead, url, startedAt: new Date().toISOString() });
    const elsewhere = mkdtempSync(join(tmpdir(), "warden-client-cwd-"));
    try {
      const error = await failure(locateManager({ config: config() }, elsewhere));
      expect(error.code).toBe("WARDEN_ERR_NOT_RUNNING");
      // Outside the working folder, paths are shown absolute.
      expect(error.message).toBe(
        `no manager is running for ${config()} (state dir ${stateDir()}); start one with: warden up --config ${config()}`,
      );
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it("takes the URL from manager.json and the token from the token file, or from the flags", async () => {
    writeManagerJson({ pid: process.pid, url: `${url}/`, startedAt: new Date().toISOString() });
    writeFileSync(join(stateDir(), "token"), `${TOKEN}\n`);
    expect(await locateManager({}, dir)).toEqual({
      url,
      token: TOKEN,
      tokenSource: "the token in state/token",
      notRunning,
    });
    const other = "b".repeat(64);
    expect(await locateManager({ token: other }, dir)).toMatchObject({ url, token: other });
    expect(await locateManager({ url: "http://127.0.0.1:9" }, dir)).toMatchObject({
      url: "http://127.0.0.1:9",
      token: TOKEN,
    });
  });

  it("needs no configuration with --url and --token, and rejects a URL that is not http", async () => {
    const empty = mkdtempSync(join(tmpdir(), "warden-client-empty-"));
    try {
      expect(await locateManager({ url, token: TOKEN }, empty)).toEqual(target());
      const alone = await failure(locateManager({ url }, empty));
      expect(alone.code).toBe("WARDEN_ERR_USAGE");
      expect(alone.message).toMatch(
        /^--url without --token reads the token of the configuration, but: no configuration file in /,
      );
      const bad = await failure(locateManager({ url: "127.0.0.1:7070", token: TOKEN }, empty));
      expect(bad.message).toBe(
        '--url: expected an http:// or https:// URL such as http://127.0.0.1:7070, got "127.0.0.1:7070"',
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  function writeManagerJson(info: object): void {
    mkdirSync(stateDir(), { recursive: true });
    writeFileSync(join(stateDir(), "manager.json"), JSON.stringify(info));
  }
});

/** A URL on which nothing listens: a port that was just free. */
async function closedPort(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return `http://127.0.0.1:${port}`;
}
