/**
 * The DaemonManager restarts a daemon whose health checks fail (or time out) failureThreshold
 * times in a row, or whose heartbeat stops. Simulated clock; no real sleeps.
 */
import { describe, expect, it } from "vitest";
import { FAST, simulationPerTest } from "../../support/manager-fixtures.ts";

const simulation = simulationPerTest();

describe("DaemonManager: health and heartbeat", () => {
  it("restarts a daemon whose health check fails failureThreshold times in a row", async () => {
    const sim = simulation();
    const db = sim.daemon(
      "db",
      { health: { healthy: true } },
      { ...FAST, health: { intervalMs: 1000, timeoutMs: 100, failureThreshold: 3 } },
    );
    await sim.run(sim.manager.startAll());
    await sim.advance(1000);
    expect(sim.manager.statusOf("db").healthy).toBe(true);
    db.script.health = { healthy: false, detail: "disk full" };
    await sim.advance(2000);
    expect(sim.state("db")).toBe("RUNNING");
    expect(sim.manager.statusOf("db")).toMatchObject({ healthy: false, lastError: "disk full" });
    await sim.advance(1000);
    expect(sim.state("db")).toBe("RESTARTING");
    expect(sim.seen({ type: "DAEMON_RESTARTING" })[0]!.data).toMatchObject({
      reason: "health",
      error: "health check failed",
    });
    expect(sim.seen({ type: "DAEMON_HEALTH_CHANGED" }).map((e) => e.data)).toEqual([
      { daemon: "db", from: "RUNNING", healthy: true },
      { daemon: "db", from: "RUNNING", healthy: false, detail: "disk full" },
    ]);
  });

  it("counts a health check that outlives timeoutMs as a failure, and a success resets the count", async () => {
    const sim = simulation();
    let answer: () => Promise<{ healthy: boolean }> = () => new Promise(() => {});
    const db = sim.daemon(
      "db",
      {},
      {
        ...FAST,
        health: { intervalMs: 1000, timeoutMs: 100, failureThreshold: 2 },
      },
    );
    db.healthCheck = () => answer();
    await sim.run(sim.manager.startAll());
    await sim.advance(1100); // first check times out
    expect(sim.manager.statusOf("db").healthy).toBe(false);
    answer = async () => ({ healthy: true });
    await sim.advance(1000); // t = 2100
    expect(sim.manager.statusOf("db").healthy).toBe(true);
    answer = () => new Promise(() => {});
    await sim.advance(1100); // t = 3200: one failure since the success
    expect(sim.state("db")).toBe("RUNNING");
    await sim.advance(1100); // t = 4300: two in a row
    expect(sim.state("db")).toBe("RESTARTING");
    expect(sim.seen({ type: "DAEMON_HEALTH_CHANGED" }).map((e) => e.data)).toEqual([
      {
        daemon: "db",
        from: "RUNNING",
        healthy: false,
        detail: "health check timed out after 100 ms",
      },
      // Healthy again: the detail of the old failure is not repeated.
      { daemon: "db", from: "RUNNING", healthy: true },
      {
        daemon: "db",
        from: "RUNNING",
        healthy: false,
        detail: "health check timed out after 100 ms",
      },
    ]);
  });

  it("restarts a RUNNING daemon that sends no heartbeat for heartbeatTimeoutMs", async () => {
    const sim = simulation();
    const db = sim.daemon("db", {}, { ...FAST, heartbeatTimeoutMs: 1000 });
    await sim.run(sim.manager.startAll());
    for (let i = 0; i < 5; i++) {
      await sim.advance(900);
      db.ctx!.heartbeat();
    }
    expect(sim.state("db")).toBe("RUNNING");
    await sim.advance(999);
    expect(sim.state("db")).toBe("RUNNING");
    await sim.advance(1);
    expect(sim.state("db")).toBe("RESTARTING");
    expect(sim.seen({ type: "DAEMON_RESTARTING" })[0]!.data).toMatchObject({
      reason: "heartbeat",
      error: "no heartbeat",
    });
    await sim.advance(100);
    expect(sim.state("db")).toBe("RUNNING");
  });
});
