import { afterEach, describe, expect, it } from "vitest";
import { LIFECYCLE_EVENT_TYPES } from "../../../machines/envelope.ts";
import { isWardenError, type WardenErrorCode } from "../../../machines/errors.ts";
import { Simulation } from "../../support/simulated-runtime.ts";

const simulations: Simulation[] = [];

/** A fresh simulation, closed after the test. */
function simulation(...args: ConstructorParameters<typeof Simulation>): Simulation {
  const sim = new Simulation(...args);
  simulations.push(sim);
  return sim;
}

afterEach(async () => {
  for (const sim of simulations.splice(0)) await sim.close();
});

/** The code of the WardenError `fn` throws or rejects with. */
async function codeOf(fn: () => unknown): Promise<WardenErrorCode | string> {
  try {
    await fn();
  } catch (error) {
    return isWardenError(error) ? error.code : `not a WardenError: ${String(error)}`;
  }
  return "nothing thrown";
}

/** Backoff with random 0.5 (the Simulation's default): the n-th delay is initialMs × 2^(n−2). */
const FAST = { backoff: { initialMs: 200, maxMs: 10_000, factor: 2 } };

describe("DaemonManager: register, start, stop, restart, status", () => {
  it("starts every daemon, dependencies first, and reports status", async () => {
    const sim = simulation();
    sim.daemon("db");
    const api = sim.daemon("api", {}, { dependsOn: ["db"], description: "the API" });
    api.getMetrics = () => ({ requests: 3 });

    expect(sim.manager.names()).toEqual(["db", "api"]);
    expect(sim.states()).toEqual({ db: "PENDING", api: "PENDING" });
    await sim.run(sim.manager.startAll());
    expect(sim.states()).toEqual({ db: "RUNNING", api: "RUNNING" });
    expect(sim.trail()).toEqual([
      "DAEMON_STARTING:db",
      "DAEMON_STARTED:db",
      "DAEMON_STARTING:api",
      "DAEMON_STARTED:api",
    ]);

    await sim.advance(1234);
    expect(sim.manager.statusOf("api")).toEqual({
      name: "api",
      state: "RUNNING",
      kind: "module",
      dependsOn: ["db"],
      critical: false,
      restarts: 0,
      reason: "ready",
      uptimeMs: 1234,
      description: "the API",
      metrics: { requests: 3 },
    });
    expect(sim.manager.status().map((status) => status.name)).toEqual(["db", "api"]);
  });

  it("start(name) brings up what the daemon depends on, and nothing else", async () => {
    const sim = simulation();
    sim.daemon("db");
    sim.daemon("api", {}, { dependsOn: ["db"] });
    sim.daemon("cron");
    await sim.run(sim.manager.start("api"));
    expect(sim.states()).toEqual({ db: "RUNNING", api: "RUNNING", cron: "PENDING" });
  });

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

  it("refuses a second daemon of the same name", async () => {
    const sim = simulation();
    sim.daemon("db");
    expect(await codeOf(() => sim.daemon("db"))).toBe("WARDEN_ERR_DUPLICATE_DAEMON");
  });

  it("refuses a daemon without start and stop", async () => {
    const sim = simulation();
    const notADaemon = { start() {} } as never;
    expect(await codeOf(() => sim.manager.register("x", notADaemon))).toBe(
      "WARDEN_ERR_DAEMON_MODULE",
    );
  });

  it("names an unknown daemon with WARDEN_ERR_UNKNOWN_DAEMON and suggests the closest", async () => {
    const sim = simulation();
    sim.daemon("AUTO_SYNC");
    const calls = [
      () => sim.manager.start("AUTO_SYNK"),
      () => sim.manager.stop("AUTO_SYNK"),
      () => sim.manager.restart("AUTO_SYNK"),
      () => sim.manager.statusOf("AUTO_SYNK"),
      () => sim.manager.waitFor("AUTO_SYNK", "RUNNING"),
      () => sim.manager.startMany(["AUTO_SYNC", "AUTO_SYNK"]),
    ];
    for (const call of calls) expect(await codeOf(call)).toBe("WARDEN_ERR_UNKNOWN_DAEMON");
    const error = await sim.manager.start("AUTO_SYNK").catch((e: unknown) => e);
    expect((error as Error).message).toContain('did you mean "AUTO_SYNC"?');
    expect(sim.state("AUTO_SYNC")).toBe("PENDING");
  });

  it("validates the graph before anything starts", async () => {
    const unknown = simulation();
    const db = unknown.daemon("db");
    unknown.daemon("api", {}, { dependsOn: ["dbb"] });
    expect(await codeOf(() => unknown.manager.startAll())).toBe("WARDEN_ERR_UNKNOWN_DEPENDENCY");
    expect(db.starts).toBe(0);

    const cyclic = simulation();
    cyclic.daemon("a", {}, { dependsOn: ["b"] });
    cyclic.daemon("b", {}, { dependsOn: ["a"] });
    expect(await codeOf(() => cyclic.manager.startAll())).toBe("WARDEN_ERR_DEPENDENCY_CYCLE");
    // An invalid graph does not keep the manager from closing.
    await expect(cyclic.run(cyclic.manager.close())).resolves.toBeUndefined();
  });

  it("accepts daemons registered after others started", async () => {
    const sim = simulation();
    sim.daemon("db");
    await sim.run(sim.manager.startAll());
    sim.daemon("api", {}, { dependsOn: ["db"] });
    await sim.run(sim.manager.start("api"));
    expect(sim.states()).toEqual({ db: "RUNNING", api: "RUNNING" });
  });
});

describe("DaemonManager: waitFor", () => {
  it("resolves at once when the daemon is already in the state", async () => {
    const sim = simulation();
    sim.daemon("db");
    await expect(sim.manager.waitFor("db", "PENDING", 10)).resolves.toBeUndefined();
  });

  it("resolves when the daemon reaches the state", async () => {
    const sim = simulation();
    sim.daemon("db", { startMs: 300 });
    let done = false;
    void sim.manager.waitFor("db", "RUNNING", 1000).then(() => (done = true));
    void sim.manager.startAll();
    await sim.advance(299);
    expect(done).toBe(false);
    await sim.advance(1);
    expect(done).toBe(true);
  });

  it("rejects with WARDEN_ERR_WAIT_TIMEOUT after timeoutMs on the simulated clock", async () => {
    const sim = simulation();
    sim.daemon("db");
    let outcome: unknown = "pending";
    sim.manager.waitFor("db", "RUNNING", 5000).then(
      () => (outcome = "resolved"),
      (error: unknown) => (outcome = error),
    );
    await sim.advance(4999);
    expect(outcome).toBe("pending");
    await sim.advance(1);
    expect(isWardenError(outcome, "WARDEN_ERR_WAIT_TIMEOUT")).toBe(true);
  });
});

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
