/**
 * The control server's events: recent ones, published ones, and live Server-Sent Events streams
 * with their back-pressure. Set-up in test/support/control-server-setup.ts.
 */
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import type { Envelope } from "../../../machines/envelope.ts";
import { call, until, within } from "../../support/control-client.ts";
import { controlServerPerTest, errorOf, post, TOKEN } from "../../support/control-server-setup.ts";

const { setup, follow } = controlServerPerTest();

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
