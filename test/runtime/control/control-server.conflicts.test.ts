/**
 * `POST /v1/daemons/:name/start` and `conflicts` (SPEC §6a): a start beside an active conflicting
 * daemon is `409 conflict` naming it; `?replace=1` or a body `{ "replace": true }` stops that
 * daemon first; `replace` on another action is a bad request.
 */
import { describe, expect, it } from "vitest";
import { controlServerPerTest, errorOf, post } from "../../support/control-server-setup.ts";

const { setup } = controlServerPerTest();

const idle = () => ({ start: async () => {}, stop: async () => {} });

async function withConflict() {
  const server = await setup();
  server.manager.register("left", idle(), { conflicts: ["right"] });
  server.manager.register("right", idle());
  await server.manager.start("left");
  return server;
}

describe("control server: conflicts", () => {
  it("refuses a start beside a conflicting daemon with 409 conflict, naming it", async () => {
    const { base, manager } = await withConflict();
    const answer = await post(base, "/v1/daemons/right/start");
    expect(answer.status).toBe(409);
    expect(errorOf(answer.body).code).toBe("conflict");
    expect(errorOf(answer.body).message).toMatch(/conflicts with "left", which is RUNNING/);
    expect(manager.stateOf("left")).toBe("RUNNING");
  });

  it("?replace=1 stops the other first", async () => {
    const { base, manager } = await withConflict();
    const answer = await post(base, "/v1/daemons/right/start?replace=1");
    expect(answer).toMatchObject({ status: 200, body: { name: "right", state: "RUNNING" } });
    expect(manager.stateOf("left")).toBe("STOPPED");
  });

  it('a body { "replace": true } does the same; replace on a stop is a bad request', async () => {
    const { base, manager } = await withConflict();
    const json = { "content-type": "application/json" };
    const answer = await post(base, "/v1/daemons/right/start", {
      headers: json,
      body: JSON.stringify({ replace: true }),
    });
    expect(answer.status).toBe(200);
    expect(manager.stateOf("left")).toBe("STOPPED");
    const stop = await post(base, "/v1/daemons/right/stop", {
      headers: json,
      body: JSON.stringify({ replace: true }),
    });
    expect(stop.status).toBe(400);
    expect((await post(base, "/v1/daemons/right/stop?replace=1")).status).toBe(400);
  });
});
