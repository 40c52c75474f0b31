import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emit } from "../../cli/commands/emit.ts";
import { events } from "../../cli/commands/events.ts";
import type { Envelope } from "../../machines/envelope.ts";
import type { WardenError } from "../../machines/errors.ts";
import { captureIo } from "../support/capture-io.ts";

const TOKEN = "c".repeat(64);
const NOW = Date.now();
const recent: Envelope[] = [
  {
    id: "e-1",
    type: "DAEMON_STARTED",
    source: "warden",
    time: NOW - 3_600_000,
    data: { daemon: "db", from: "STARTING", reason: "ready" },
  },
  { id: "e-2", type: "MODEL_SAVED", source: "trainer", time: NOW - 60_000, data: { epoch: 3 } },
  { id: "e-3", type: "PING", source: "api", time: NOW - 1000, data: null, node: "gpu-3" },
];

let server: Server;
let url: string;
const asked: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    asked.push(request.url ?? "");
    const ok = request.headers.authorization === `Bearer ${TOKEN}`;
    response.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
    response.end(JSON.stringify(ok ? { events: recent } : { error: { code: "unauthorized" } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe("warden events (in process, against a fake manager)", () => {
  it("prints lifecycle events as warden up does and others as time, type, source and data", async () => {
    const { io, out, err } = captureIo();
    await events({ url, token: TOKEN }, io);
    expect(asked.at(-1)).toBe("/v1/events");
    expect(out).toHaveLength(3);
    expect(out[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}db {12}STARTING → RUNNING$/);
    expect(out[1]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}MODEL_SAVED {2}trainer {2}\{"epoch":3\}$/);
    expect(out[2]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}PING {2}api@gpu-3$/);
    expect(err).toEqual([]);
  });

  it("--json prints each envelope as one line; --type and --limit go to the manager", async () => {
    const { io, out } = captureIo();
    await events({ url, token: TOKEN, json: true, type: ["A", "B"], limit: 5 }, io);
    expect(asked.at(-1)).toBe("/v1/events?type=A&type=B&limit=5");
    expect(out.map((line) => JSON.parse(line))).toEqual(recent);
  });

  it("--since keeps the events at or after that time, looking at every event kept", async () => {
    const { io, out } = captureIo();
    await events({ url, token: TOKEN, json: true, since: NOW - 120_000 }, io);
    expect(asked.at(-1)).toBe("/v1/events?limit=1000");
    expect(out.map((line) => (JSON.parse(line) as Envelope).id)).toEqual(["e-2", "e-3"]);
  });
});

describe("warden emit --data (in process)", () => {
  it("says where the JSON goes wrong, as a usage error, before asking any manager", async () => {
    const { io } = captureIo();
    const cases = [
      ['{"epoch": }', "Unexpected token '}' at line 1, column 11", '{"epoch": }', "          ^"],
      [
        '{"a": 1,\n "b": tru }',
        "Unexpected token ' ' at line 2, column 10",
        ' "b": tru }',
        "         ^",
      ],
      ["[1, 2", "Expected ',' or ']' after array element at line 1, column 6", "[1, 2", "     ^"],
    ];
    for (const [data, where, line, caret] of cases) {
      // No manager at this URL: the error must come from --data itself.
      const error = await emit("X", { data, url: "http://127.0.0.1:9", token: TOKEN }, io).then(
        () => undefined,
        (caught: unknown) => caught as WardenError,
      );
      expect(error?.code).toBe("WARDEN_ERR_USAGE");
      expect(error?.message).toBe(`--data is not valid JSON: ${where}`);
      expect(error?.details).toEqual([line, caret]);
    }
  });
});
