/**
 * The control server's daemon routes: status, start, stop and restart, with their waits,
 * timeouts and failures. Set-up in test/support/control-server-setup.ts.
 */
import { describe, expect, it } from "vitest";
import { call, until } from "../../support/control-client.ts";
import { controlServerPerTest, errorOf, post, TOKEN } from "../../support/control-server-setup.ts";

const { setup } = controlServerPerTest();

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
