/**
 * The DaemonManager restarts or fails a daemon whose start outlives startTimeoutMs and forces a
 * stop that outlives stopTimeoutMs. Simulated clock; no real sleeps.
 */
import { describe, expect, it } from "vitest";
import { FAST, simulationPerTest } from "../../support/manager-fixtures.ts";

const simulation = simulationPerTest();

describe("DaemonManager: timeouts", () => {
  it("restarts a daemon whose start times out, and cancels that start", async () => {
    const sim = simulation();
    const db = sim.daemon("db", { startMs: Infinity }, { ...FAST, startTimeoutMs: 1000 });
    void sim.manager.startAll().catch(() => {});
    await sim.advance(999);
    expect(sim.state("db")).toBe("STARTING");
    await sim.advance(1);
    expect(sim.state("db")).toBe("RESTARTING");
    expect(db.contexts[0]!.signal.aborted).toBe(true);
    expect(sim.seen({ type: "DAEMON_RESTARTING" })[0]!.data).toMatchObject({
      reason: "start-timeout",
      error: "start timed out",
    });
  });

  it("fails a daemon whose start times out when restart is not allowed", async () => {
    const sim = simulation();
    sim.daemon("db", { startMs: Infinity }, { restart: "never", startTimeoutMs: 1000 });
    const started = sim.manager.startAll();
    await expect(sim.run(started)).rejects.toMatchObject({ code: "WARDEN_ERR_DAEMON_FAILED" });
    expect(sim.clock.now()).toBe(1000);
    expect(sim.manager.statusOf("db")).toMatchObject({
      state: "FAILED",
      lastError: "start timed out",
    });
  });

  it("forces a stop that outlives stopTimeoutMs: STOPPED with forced: true", async () => {
    const sim = simulation();
    const db = sim.daemon("db", { stopMs: Infinity }, { stopTimeoutMs: 500 });
    await sim.run(sim.manager.startAll());
    void sim.manager.stop("db");
    await sim.advance(499);
    expect(sim.state("db")).toBe("STOPPING");
    await sim.advance(1);
    expect(sim.state("db")).toBe("STOPPED");
    expect(db.ctx!.signal.aborted).toBe(true);
    expect(sim.seen({ type: "DAEMON_STOPPED" })[0]!.data).toMatchObject({
      from: "STOPPING",
      forced: true,
    });
  });
});
