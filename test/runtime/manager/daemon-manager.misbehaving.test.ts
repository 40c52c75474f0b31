/**
 * The DaemonManager copes with daemons whose start throws or rejects, whose stop rejects, whose
 * start is cancelled, or whose bus handler throws. Simulated clock; no real sleeps.
 */
import { describe, expect, it } from "vitest";
import { FAST, simulationPerTest } from "../../support/manager-fixtures.ts";

const simulation = simulationPerTest();

describe("DaemonManager: misbehaving daemons", () => {
  it("treats a start that throws synchronously as a failed start", async () => {
    const sim = simulation();
    const db = sim.daemon("db", { throwSync: true }, FAST);
    void sim.manager.startAll().catch(() => {});
    await sim.settle();
    expect(sim.state("db")).toBe("RESTARTING");
    expect(sim.seen({ type: "DAEMON_RESTARTING" })[0]!.data).toMatchObject({
      from: "STARTING",
      reason: "start-failed",
      attempt: 1,
      error: "start threw",
    });
    db.script.throwSync = false;
    await sim.advance(100);
    expect(sim.state("db")).toBe("RUNNING");
  });

  it("treats a start that rejects as a failed start, and FAILED after the limit", async () => {
    const sim = simulation();
    const db = sim.daemon("db", { failStarts: true }, { ...FAST, maxRestarts: 2 });
    await expect(sim.run(sim.manager.startAll())).rejects.toMatchObject({
      code: "WARDEN_ERR_DAEMON_FAILED",
    });
    expect(db.starts).toBe(3);
    expect(sim.seen({ type: "DAEMON_FAILED" })[0]!.data).toEqual({
      daemon: "db",
      from: "STARTING",
      reason: "intensity",
      error: "start failed",
    });
  });

  it("finishes a stop whose stop() rejects, and keeps the error", async () => {
    const sim = simulation();
    sim.daemon("db", { rejectStop: true });
    await sim.run(sim.manager.startAll());
    await sim.run(sim.manager.stop("db"));
    expect(sim.manager.statusOf("db")).toMatchObject({
      state: "STOPPED",
      lastError: "stop failed",
    });
  });

  it("restarts a daemon whose stop() rejects during a restart", async () => {
    const sim = simulation();
    const db = sim.daemon("db", { rejectStop: true }, FAST);
    await sim.run(sim.manager.startAll());
    db.ctx!.fail(new Error("boom"));
    await sim.advance(100);
    expect(sim.state("db")).toBe("RUNNING");
    expect(db.starts).toBe(2);
  });

  it("aborts ctx.signal when a start is cancelled by a stop", async () => {
    const sim = simulation();
    const db = sim.daemon("db", { startMs: 10_000 });
    const started = sim.manager.startAll();
    started.catch(() => {}); // asserted below
    await sim.advance(100);
    expect(sim.state("db")).toBe("STARTING");
    const signal = db.ctx!.signal;
    expect(signal.aborted).toBe(false);
    await sim.run(sim.manager.stop("db"));
    expect(signal.aborted).toBe(true);
    expect(sim.state("db")).toBe("STOPPED");
    expect(db.stops).toBe(1);
    await expect(started).rejects.toMatchObject({ code: "WARDEN_ERR_DAEMON_STOPPED" });
    // The cancelled start resolving later changes nothing.
    await sim.advance(20_000);
    expect(sim.state("db")).toBe("STOPPED");
  });

  it("charges an error from a daemon's bus handler to the dead-letter queue, not the daemon", async () => {
    const sim = simulation();
    const db = sim.daemon("db");
    await sim.run(sim.manager.startAll());
    db.ctx!.bus.subscribe("PING", () => {
      throw new Error("handler broke");
    });
    sim.manager.bus.publish("PING", {});
    await sim.settle();
    expect(sim.state("db")).toBe("RUNNING");
    expect(sim.manager.bus.deadLetters.list()[0]).toMatchObject({
      subscriber: "db",
      error: "handler broke",
    });
  });
});
