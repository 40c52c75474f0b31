/**
 * The seven lifecycle events the DaemonManager publishes, each with daemon, from and reason.
 * Simulated clock; no real sleeps.
 */
import { describe, expect, it } from "vitest";
import { LIFECYCLE_EVENT_TYPES } from "../../../machines/envelope.ts";
import { FAST, simulationPerTest } from "../../support/manager-fixtures.ts";

const simulation = simulationPerTest();

describe("DaemonManager: lifecycle events", () => {
  it("publishes all seven lifecycle event types with daemon, from and reason", async () => {
    const sim = simulation();
    const db = sim.daemon(
      "db",
      { health: { healthy: true } },
      { ...FAST, restart: "on-failure", maxRestarts: 1, health: { intervalMs: 1000 } },
    );
    await sim.run(sim.manager.startAll());
    await sim.advance(1000); // DAEMON_HEALTH_CHANGED
    db.ctx!.fail(new Error("one")); // DAEMON_RESTARTING
    await sim.advance(100);
    db.ctx!.fail(new Error("two")); // DAEMON_FAILED
    await sim.settle();
    await sim.run(sim.manager.start("db"));
    await sim.run(sim.manager.stop("db")); // DAEMON_STOPPING, DAEMON_STOPPED

    const types = new Set(sim.events.map((event) => event.type));
    for (const type of LIFECYCLE_EVENT_TYPES) expect(types).toContain(type);
    for (const event of sim.seen()) {
      expect(event.data.daemon).toBe("db");
      expect(event.data.from).toEqual(expect.any(String));
      if (event.type !== "DAEMON_HEALTH_CHANGED")
        expect(event.data.reason).toEqual(expect.any(String));
    }
    expect(
      sim.seen().map((event) => `${event.type} ${event.data.from} ${event.data.reason}`),
    ).toEqual([
      "DAEMON_STARTING PENDING start",
      "DAEMON_STARTED STARTING ready",
      "DAEMON_HEALTH_CHANGED RUNNING undefined",
      "DAEMON_RESTARTING RUNNING crash",
      "DAEMON_STARTING RESTARTING restart",
      "DAEMON_STARTED STARTING ready",
      "DAEMON_FAILED RUNNING intensity",
      "DAEMON_STARTING PENDING start",
      "DAEMON_STARTED STARTING ready",
      "DAEMON_STOPPING RUNNING stop",
      "DAEMON_STOPPED STOPPING stop",
    ]);
    for (const event of sim.events) {
      expect(event).toMatchObject({
        id: expect.any(String),
        source: "warden",
        time: expect.any(Number),
      });
    }
  });
});
