/**
 * The control server's dead-letter routes (runtime/control/control-routes-dlq.ts): GET /v1/dlq
 * in the shape of SPEC §5, POST /v1/dlq/retry and /v1/dlq/purge, behind the token, with their
 * bad requests answered as JSON errors. Set-up in test/support/control-server-setup.ts.
 */
import { describe, expect, it } from "vitest";
import type { DeadLetter } from "../../../runtime/bus/dead-letter-queue.ts";
import { call } from "../../support/control-client.ts";
import { controlServerPerTest, errorOf, post, TOKEN } from "../../support/control-server-setup.ts";

const { setup } = controlServerPerTest();
const json = { "content-type": "application/json" };

async function withLetters() {
  const server = await setup();
  const bus = server.manager.bus;
  bus.subscribe(
    "A",
    () => {
      throw new Error("cannot A");
    },
    { subscriber: "worker" },
  );
  bus.subscribe(
    "B",
    () => {
      throw new Error("cannot B");
    },
    { subscriber: "other" },
  );
  bus.publish("A", { n: 1 }, "test");
  bus.publish("B", { n: 2 }, "test");
  bus.publish("A", { n: 3 }, "test");
  return server;
}

type Listing = { entries: DeadLetter[]; total: number; parked: number; evicted: number };

describe("control server: dead letters", () => {
  it("GET /v1/dlq lists entries in the shape of SPEC §5, filtered and limited", async () => {
    const { base } = await withLetters();
    const all = await call<Listing>(base, "/v1/dlq", { token: TOKEN });
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ total: 3, parked: 0, evicted: 0 });
    expect(Object.keys(all.body.entries[0]!).sort()).toEqual(
      [
        "attempts",
        "error",
        "event",
        "firstFailedAt",
        "id",
        "lastFailedAt",
        "nextRetryAt",
        "parked",
        "subscriber",
      ].sort(),
    );
    expect(all.body.entries[0]).toMatchObject({
      id: "dl-1",
      subscriber: "worker",
      error: "cannot A",
      attempts: 1,
      parked: false,
      event: { type: "A", source: "test", data: { n: 1 } },
    });
    const onlyA = await call<Listing>(base, "/v1/dlq?type=A&limit=1", { token: TOKEN });
    expect(onlyA.body.entries.map((letter) => letter.id)).toEqual(["dl-1"]);
    expect(onlyA.body.total).toBe(2);
    const other = await call<Listing>(base, "/v1/dlq?subscriber=other", { token: TOKEN });
    expect(other.body.entries.map((letter) => letter.id)).toEqual(["dl-2"]);
  });

  it("needs the token, and refuses unknown or malformed parameters", async () => {
    const { base } = await withLetters();
    const anonymous = await call(base, "/v1/dlq");
    expect(anonymous.status).toBe(401);
    expect(errorOf(anonymous.body).code).toBe("unauthorized");
    expect(
      (await post(base, "/v1/dlq/purge", { headers: json, body: '{"all":true}', token: "x" }))
        .status,
    ).toBe(401);
    const typo = await call(base, "/v1/dlq?typ=A", { token: TOKEN });
    expect(typo.status).toBe(400);
    expect(errorOf(typo.body).message).toContain('did you mean "type"?');
    expect((await call(base, "/v1/dlq?limit=-1", { token: TOKEN })).status).toBe(400);
  });

  it("POST /v1/dlq/retry makes entries due now with a fresh series", async () => {
    const { base, manager } = await withLetters();
    const queue = manager.bus.deadLetters;
    queue.failed("dl-1", "again", manager.clock.now());
    const answer = await post(base, "/v1/dlq/retry", { headers: json, body: '{"ids":["dl-1"]}' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ retried: ["dl-1"] });
    expect(queue.get("dl-1")).toMatchObject({ attempts: 0, parked: false });
    expect(queue.get("dl-1")!.nextRetryAt).toBeLessThanOrEqual(Date.now());
    const all = await post(base, "/v1/dlq/retry", { headers: json, body: '{"all":true}' });
    expect(all.body).toEqual({ retried: ["dl-1", "dl-2", "dl-3"] });
  });

  it("POST /v1/dlq/purge drops the named entries or all; an unknown id does nothing and is a 404", async () => {
    const { base, manager } = await withLetters();
    const queue = manager.bus.deadLetters;
    const unknown = await post(base, "/v1/dlq/purge", {
      headers: json,
      body: '{"ids":["dl-1","dl-99"]}',
    });
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown.body)).toMatchObject({ code: "unknown_dead_letter" });
    expect(errorOf(unknown.body).message).toContain("dl-99");
    expect(queue.size).toBe(3);
    const one = await post(base, "/v1/dlq/purge", { headers: json, body: '{"ids":["dl-2"]}' });
    expect(one.body).toEqual({ purged: ["dl-2"] });
    const all = await post(base, "/v1/dlq/purge", { headers: json, body: '{"all":true}' });
    expect(all.body).toEqual({ purged: ["dl-1", "dl-3"] });
    expect(queue.size).toBe(0);
  });

  it("answers a bad body with a 400 naming the expected shape", async () => {
    const { base } = await withLetters();
    for (const body of [
      "",
      "[]",
      '{"ids":[]}',
      '{"ids":"dl-1"}',
      '{"all":true,"ids":["dl-1"]}',
      '{"all":"yes"}',
      '{"id":["dl-1"]}',
      '{"ids":[1]}',
    ]) {
      const answer = await post(base, "/v1/dlq/retry", { headers: json, body });
      expect(answer.status, body).toBe(400);
      expect(errorOf(answer.body).code).toBe("bad_request");
    }
    const huge = await post(base, "/v1/dlq/purge", {
      headers: json,
      body: JSON.stringify({ ids: Array.from({ length: 20_000 }, (_, n) => `dl-${n}`) }),
    });
    expect(huge.status).toBe(413);
  });
});
