/**
 * The DaemonManager's stop(name) and restart(name), alone and interleaved with a start or another
 * stop. Simulated clock; no real sleeps.
 */
import { describe, expect, it } from "vitest";
import { codeOf, simulationPerTest } from "../../support/manager-fixtures.ts";

const simulation = simulationPerTest();

describe("DaemonManager: register, start, stop, restart, status", () => {
  it("stop(name) stops one daemon and calls its stop with an aborted signal", async () => {
    const sim = simulation();
    const db = sim.daemon("db");
    await sim.run(sim.manager.startAll());
    const ctx = db.ctx!;
    expect(ctx.signal.aborted).toBe(false);
    await sim.run(sim.manager.stop("db"));
    expect(sim.state("db")).toBe("STOPPED");
    expect(db.stops).toBe(1);
    expect(ctx.signal.aborted).toBe(true);
    expect(sim.seen({ type: "DAEMON_STOPPED" })[0]!.data).toMatchObject({
      daemon: "db",
      from: "STOPPING",
      reason: "stop",
      forced: false,
    });
    // Stopping a stopped daemon is a no-op.
    await sim.run(sim.manager.stop("db"));
    expect(db.stops).toBe(1);
  });

  it("restart(name) replaces the instance without backoff and without counting it", async () => {
    const sim = simulation();
    const db = sim.daemon("db", {}, { maxRestarts: 1 });
    await sim.run(sim.manager.startAll());
    const since = sim.events.length;
    for (let i = 0; i < 3; i++) await sim.run(sim.manager.restart("db"));
    expect(sim.state("db")).toBe("RUNNING");
    expect(db.starts).toBe(4);
    expect(db.stops).toBe(3);
    expect(sim.manager.statusOf("db").restarts).toBe(3);
    const restarting = sim.seen({ type: "DAEMON_RESTARTING", since });
    expect(restarting.map((event) => event.data)).toEqual(
      Array(3).fill({ daemon: "db", from: "RUNNING", reason: "manual", attempt: 0, delayMs: 0 }),
    );
    expect(sim.clock.now()).toBe(0);
  });

  it("restart(name) while the daemon is STARTING joins that start", async () => {
    const sim = simulation();
    const db = sim.daemon("db", { startMs: 500 });
    const starting = sim.manager.start("db");
    await sim.settle();
    expect(sim.state("db")).toBe("STARTING");
    await sim.run(sim.manager.restart("db"));
    await sim.run(starting);
    expect(sim.state("db")).toBe("RUNNING");
    expect(db.starts).toBe(1);
  });

  it("restart(name) interrupted by a stop rejects instead of waiting for ever", async () => {
    const sim = simulation();
    sim.daemon("db", { stopMs: 300 });
    await sim.run(sim.manager.startAll());
    const restarting = sim.manager.restart("db");
    await sim.settle();
    expect(sim.state("db")).toBe("RESTARTING");
    const stopping = sim.manager.stop("db");
    expect(await codeOf(() => sim.run(restarting))).toBe("WARDEN_ERR_DAEMON_STOPPED");
    await sim.run(stopping);
    expect(sim.state("db")).toBe("STOPPED");
  });

  it("restart(name) of a stopped daemon starts it", async () => {
    const sim = simulation();
    sim.daemon("db");
    await sim.run(sim.manager.startAll());
    await sim.run(sim.manager.stop("db"));
    await sim.run(sim.manager.restart("db"));
    expect(sim.state("db")).toBe("RUNNING");
  });

  it("start(name) during a stop lets the stop finish, then starts the daemon again", async () => {
    const sim = simulation();
    const db = sim.daemon("db", { stopMs: 300 });
    await sim.run(sim.manager.startAll());
    const stopped = sim.manager.stop("db");
    await sim.advance(100);
    expect(sim.state("db")).toBe("STOPPING");
    const started = sim.manager.start("db");
    await expect(sim.run(started)).resolves.toBeUndefined();
    await expect(stopped).resolves.toBeUndefined();
    expect(sim.state("db")).toBe("RUNNING");
    expect(db.starts).toBe(2);
    expect(sim.trail().slice(2)).toEqual([
      "DAEMON_STOPPING:db",
      "DAEMON_STOPPED:db",
      "DAEMON_STARTING:db",
      "DAEMON_STARTED:db",
    ]);
  });

  it.each(["stop", "stopAll"] as const)(
    "%s() cancels a start that was waiting for a stop to finish",
    async (how) => {
      const sim = simulation();
      const db = sim.daemon("db", { stopMs: 300 });
      await sim.run(sim.manager.startAll());
      void sim.manager.stop("db");
      await sim.advance(100);
      const started = sim.manager.start("db");
      started.catch(() => {}); // asserted below
      await sim.run(how === "stop" ? sim.manager.stop("db") : sim.manager.stopAll());
      await sim.advance(10_000);
      expect(sim.state("db")).toBe("STOPPED");
      expect(db.starts).toBe(1);
      await expect(started).rejects.toMatchObject({ code: "WARDEN_ERR_DAEMON_STOPPED" });
    },
  );
});

describe("DaemonManager: a start asked for while STOPPING, then a shutdown", () => {
  it("stopAll() cancels it even while a dependent still holds the daemon", async () => {
    const sim = simulation();
    const db = sim.daemon("db", { stopMs: 100 });
    // restart "never": losing db makes api stop (slowly) instead of waiting in RESTARTING.
    sim.daemon("api", { stopMs: 300 }, { dependsOn: ["db"], restart: "never" });
    await sim.run(sim.manager.startAll());
    void sim.manager.stop("db").catch(() => {});
    await sim.advance(10);
    const started = sim.manager.start("db");
    started.catch(() => {}); // rejected by the shutdown; not what this test is about
    await sim.run(sim.manager.stopAll());
    await sim.advance(10_000);
    expect(sim.state("db")).toBe("STOPPED");
    expect(sim.state("api")).toBe("STOPPED");
    expect(db.starts).toBe(1);
  });
});
