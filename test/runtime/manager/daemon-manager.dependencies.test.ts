/**
 * The DaemonManager takes dependents down while a dependency stops, crashes or fails, brings them
 * back with it, and starts independent daemons in parallel. Simulated clock; no real sleeps.
 */
import { describe, expect, it } from "vitest";
import { FAST, simulationPerTest } from "../../support/manager-fixtures.ts";

const simulation = simulationPerTest();

describe("DaemonManager: dependencies", () => {
  it("moves dependents to RESTARTING when a dependency stops, and back when it runs", async () => {
    const sim = simulation();
    sim.daemon("db");
    const api = sim.daemon("api", {}, { dependsOn: ["db"], maxRestarts: 1 });
    const web = sim.daemon("web", {}, { dependsOn: ["api"], maxRestarts: 1 });
    await sim.run(sim.manager.startAll());
    for (let round = 0; round < 3; round++) {
      await sim.run(sim.manager.stop("db"));
      expect(sim.states()).toEqual({ db: "STOPPED", api: "RESTARTING", web: "RESTARTING" });
      await sim.advance(60_000);
      expect(sim.states()).toEqual({ db: "STOPPED", api: "RESTARTING", web: "RESTARTING" });
      await sim.run(sim.manager.start("db"));
      await sim.settle();
      expect(sim.states()).toEqual({ db: "RUNNING", api: "RUNNING", web: "RUNNING" });
    }
    // Three dependency restarts each, yet maxRestarts is 1: they do not count.
    expect(api.starts).toBe(4);
    expect(web.starts).toBe(4);
    const reasons = sim.seen({ type: "DAEMON_RESTARTING" }).map((e) => e.data.reason);
    expect(new Set(reasons)).toEqual(new Set(["dependency"]));
    expect(sim.seen({ type: "DAEMON_RESTARTING", daemon: "api" })[0]!.data).toEqual({
      daemon: "api",
      from: "RUNNING",
      reason: "dependency",
      attempt: 0,
      delayMs: 0,
    });
  });

  it("moves dependents to RESTARTING when a dependency crashes, stopping them first", async () => {
    const sim = simulation();
    const db = sim.daemon("db", {}, FAST);
    const api = sim.daemon("api", {}, { dependsOn: ["db"] });
    await sim.run(sim.manager.startAll());
    db.ctx!.fail(new Error("boom"));
    await sim.settle();
    expect(sim.states()).toEqual({ db: "RESTARTING", api: "RESTARTING" });
    expect(api.stops).toBe(1);
    expect(api.ctx!.signal.aborted).toBe(true);
    await sim.advance(100);
    expect(sim.states()).toEqual({ db: "RUNNING", api: "RUNNING" });
  });

  it("leaves dependents of a FAILED dependency waiting, visibly", async () => {
    const sim = simulation();
    const db = sim.daemon("db", {}, { restart: "never" });
    sim.daemon("api", {}, { dependsOn: ["db"] });
    sim.daemon("report", { failStarts: true }, { restart: "never" });
    sim.daemon("mailer", {}, { dependsOn: ["report"] });
    await sim.run(sim.manager.start("api"));
    db.ctx!.fail(new Error("boom"));
    await expect(sim.run(sim.manager.start("mailer"))).rejects.toMatchObject({
      code: "WARDEN_ERR_DAEMON_FAILED",
    });
    await sim.advance(600_000);
    expect(sim.states()).toEqual({
      db: "FAILED",
      api: "RESTARTING",
      report: "FAILED",
      mailer: "PENDING",
    });
    // Recovering the dependency brings the waiting dependent back.
    await sim.run(sim.manager.start("db"));
    await sim.settle();
    expect(sim.state("api")).toBe("RUNNING");
  });

  it("starts independent daemons in parallel: both STARTING before either RUNNING", async () => {
    const sim = simulation();
    sim.daemon("a", { startMs: 100 });
    sim.daemon("b", { startMs: 100 });
    sim.daemon("c", { startMs: 50 }, { dependsOn: ["a"] });
    await sim.run(sim.manager.startAll(), 1000, 10);
    const trail = sim.trail();
    const at = (entry: string) => trail.indexOf(entry);
    expect(trail.slice(0, 2)).toEqual(["DAEMON_STARTING:a", "DAEMON_STARTING:b"]);
    expect(at("DAEMON_STARTED:a")).toBeGreaterThan(1);
    expect(at("DAEMON_STARTED:b")).toBeGreaterThan(1);
    expect(at("DAEMON_STARTING:c")).toBeGreaterThan(at("DAEMON_STARTED:a"));
    expect(sim.seen({ type: "DAEMON_STARTED", daemon: "b" })[0]!.time).toBe(100);
    // The critical path (a then c), not the sum.
    expect(sim.seen({ type: "DAEMON_STARTED", daemon: "c" })[0]!.time).toBe(150);
  });
});
