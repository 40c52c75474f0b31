/**
 * The probes of the control server, /healthz, /readyz and /metrics, over real HTTP, and a route
 * that throws. Set-up in test/support/control-server-setup.ts.
 */
import { describe, expect, it } from "vitest";
import { call } from "../../support/control-client.ts";
import {
  controlServerPerTest,
  errorOf,
  METRICS_TEXT,
  PROMETHEUS,
} from "../../support/control-server-setup.ts";

const { setup } = controlServerPerTest();

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
