/**
 * The DaemonManager restarts a crashed daemon after a growing backoff, sends it to FAILED past
 * the restart intensity (and retries it after a cool-down), and shuts everything down when a
 * critical daemon fails. Simulated clock; no real sleeps.
 */
import { describe, expect, it } from "vitest";
import { codeOf, FAST, simulationPerTest } from "../../support/manager-fixtures.ts";

const simulation = simulationPerTest();

describe("DaemonManager: crashes, backoff and intensity", () => {
  it("restarts a crashed daemon after its backoff delay on the clock", async () => {
    const sim = simulation();
    const db = sim.daemon("db", {}, FAST);
    await sim.run(sim.manager.startAll());
    const firstCtx = db.ctx!;
    firstCtx.fail(new Error("boom"));
    await sim.settle();
    expect(sim.state("db")).toBe("RESTARTING");
    expect(firstCtx.signal.aborted).toBe(true);
    expect(sim.seen({ type: "DAEMON_RESTARTING" })[0]!.data).toEqual({
      daemon: "db",
      from: "RUNNING",
      reason: "crash",
      attempt: 1,
      delayMs: 100,
      error: "boom",
    });
    await sim.advance(99);
    expect(sim.state("db")).toBe("RESTARTING");
    await sim.advance(1);
    expect(sim.state("db")).toBe("RUNNING");
    expect(db.starts).toBe(2);
    expect(sim.manager.statusOf("db")).toMatchObject({ restarts: 1, lastError: "boom" });
    // A crash reported by the old instance is stale and ignored.
    firstCtx.fail(new Error("late"));
    await sim.settle();
    expect(sim.state("db")).toBe("RUNNING");
  });

  it("grows the backoff with every restart and caps it at maxMs", async () => {
    const sim = simulation();
    const db = sim.daemon(
      "db",
      {},
      {
        backoff: { initialMs: 200, maxMs: 1000, factor: 2 },
        maxRestarts: 100,
      },
    );
    await sim.run(sim.manager.startAll());
    for (let i = 0; i < 5; i++) {
      db.ctx!.fail(new Error("boom"));
      await sim.advance(1000);
    }
    expect(sim.seen({ type: "DAEMON_RESTARTING" }).map((e) => e.data.delayMs)).toEqual([
      100, 200, 400, 500, 500,
    ]);
  });

  it("sends a daemon to FAILED on the (maxRestarts + 1)-th crash within withinMs", async () => {
    const sim = simulation();
    const db = sim.daemon("db", {}, { ...FAST, maxRestarts: 3, withinMs: 10_000 });
    await sim.run(sim.manager.startAll());
    for (let crash = 1; crash <= 3; crash++) {
      db.ctx!.fail(new Error(`crash ${crash}`));
      await sim.advance(1000);
      expect(sim.state("db")).toBe("RUNNING");
    }
    db.ctx!.fail(new Error("crash 4"));
    await sim.settle();
    expect(sim.state("db")).toBe("FAILED");
    const [failed] = sim.seen({ type: "DAEMON_FAILED" });
    expect(failed!.data).toEqual({
      daemon: "db",
      from: "RUNNING",
      reason: "intensity",
      error: "crash 4",
    });
    expect(sim.manager.statusOf("db")).toMatchObject({ state: "FAILED", reason: "intensity" });
    // FAILED stays FAILED: no cool-down by default.
    await sim.advance(3_600_000);
    expect(sim.state("db")).toBe("FAILED");
    // One command recovers it, with a fresh restart counter.
    await sim.run(sim.manager.start("db"));
    expect(sim.state("db")).toBe("RUNNING");
    db.ctx!.fail(new Error("again"));
    await sim.settle();
    expect(sim.state("db")).toBe("RESTARTING");
  });

  it("forgets crashes older than withinMs", async () => {
    const sim = simulation();
    const db = sim.daemon("db", {}, { ...FAST, maxRestarts: 2, withinMs: 10_000 });
    await sim.run(sim.manager.startAll());
    for (let crash = 0; crash < 10; crash++) {
      db.ctx!.fail(new Error("boom"));
      await sim.advance(5_000);
      expect(sim.state("db")).toBe("RUNNING");
    }
  });

  it("goes straight to FAILED under restart: never", async () => {
    const sim = simulation();
    const db = sim.daemon("db", {}, { restart: "never" });
    await sim.run(sim.manager.startAll());
    db.ctx!.fail(new Error("boom"));
    await sim.settle();
    expect(sim.state("db")).toBe("FAILED");
    expect(sim.seen({ type: "DAEMON_FAILED" })[0]!.data.reason).toBe("policy");
  });

  it("resets the backoff attempt after resetAfterMs in RUNNING", async () => {
    const sim = simulation();
    const db = sim.daemon("db", {}, { ...FAST, resetAfterMs: 5_000, maxRestarts: 10 });
    await sim.run(sim.manager.startAll());
    db.ctx!.fail(new Error("1"));
    await sim.advance(1000);
    db.ctx!.fail(new Error("2"));
    await sim.advance(4_000); // RUNNING for less than resetAfterMs
    db.ctx!.fail(new Error("3"));
    await sim.advance(1000);
    await sim.advance(5_000); // RUNNING for resetAfterMs
    db.ctx!.fail(new Error("4"));
    await sim.settle();
    expect(sim.seen({ type: "DAEMON_RESTARTING" }).map((e) => e.data.attempt)).toEqual([
      1, 2, 3, 1,
    ]);
  });

  // A stop while FAILED cancels the cool-down, so a shutdown is not undone by a retry.
  it("keeps a FAILED daemon down after stopAll(), cool-down or not", async () => {
    const sim = simulation();
    const db = sim.daemon("db", {}, { restart: "never", retryFailedAfterMs: 1000 });
    await sim.run(sim.manager.startAll());
    db.ctx!.fail(new Error("boom"));
    await sim.settle();
    await sim.run(sim.manager.stopAll());
    await sim.advance(5000);
    expect(sim.state("db")).not.toBe("RUNNING");
  });

  it("retries a FAILED daemon after retryFailedAfterMs", async () => {
    const sim = simulation();
    const db = sim.daemon("db", {}, { restart: "never", retryFailedAfterMs: 30_000 });
    await sim.run(sim.manager.startAll());
    db.ctx!.fail(new Error("boom"));
    await sim.advance(29_999);
    expect(sim.state("db")).toBe("FAILED");
    await sim.advance(1);
    expect(sim.state("db")).toBe("RUNNING");
    expect(db.starts).toBe(2);
    expect(sim.seen({ type: "DAEMON_STARTING" })[1]!.data).toMatchObject({
      from: "PENDING",
      reason: "cool-down",
    });
  });
});

describe("DaemonManager: critical daemons", () => {
  it("shuts everything down in order when a critical daemon fails, and escalated$ names it", async () => {
    const sim = simulation();
    sim.daemon("db");
    sim.daemon("api", {}, { dependsOn: ["db"] });
    const core = sim.daemon("core", {}, { critical: true, restart: "never" });
    const escalated: string[] = [];
    sim.manager.escalated$.subscribe((name) => escalated.push(name));
    await sim.run(sim.manager.startAll());
    const since = sim.events.length;
    core.ctx!.fail(new Error("fatal"));
    await sim.settle();
    expect(escalated).toEqual(["core"]);
    expect(sim.trail(since)).toEqual([
      "DAEMON_FAILED:core",
      "DAEMON_STOPPING:api",
      "DAEMON_STOPPED:api",
      "DAEMON_STOPPING:db",
      "DAEMON_STOPPED:db",
    ]);
    // The lifecycle actors are gone with the supervisor; status still tells what happened.
    expect(sim.states()).toEqual({ db: "STOPPED", api: "STOPPED", core: "FAILED" });
    expect(sim.manager.statusOf("core")).toMatchObject({ reason: "policy", lastError: "fatal" });
    expect(await codeOf(() => sim.manager.startAll())).toBe("WARDEN_ERR_MANAGER_CLOSED");
  });

  it("does not escalate while a critical daemon may still restart", async () => {
    const sim = simulation();
    const core = sim.daemon("core", {}, { ...FAST, critical: true });
    const escalated: string[] = [];
    sim.manager.escalated$.subscribe((name) => escalated.push(name));
    await sim.run(sim.manager.startAll());
    core.ctx!.fail(new Error("hiccup"));
    await sim.advance(1000);
    expect(sim.state("core")).toBe("RUNNING");
    expect(escalated).toEqual([]);
  });
});
