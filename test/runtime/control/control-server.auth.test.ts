/**
 * The bearer token of the control server's /v1 routes: what it refuses, and that a refused
 * request changes nothing. Set-up in test/support/control-server-setup.ts.
 */
import { describe, expect, it } from "vitest";
import { call } from "../../support/control-client.ts";
import { controlServerPerTest, errorOf, TOKEN } from "../../support/control-server-setup.ts";

const { setup } = controlServerPerTest();

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
