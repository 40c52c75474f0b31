/**
 * The DaemonManager registers daemons, starts them dependencies first, refuses bad names and
 * graphs, reports status, and waits for a state. Simulated clock; no real sleeps.
 */
import { describe, expect, it } from "vitest";
import { isWardenError } from "../../../machines/errors.ts";
import { codeOf, simulationPerTest } from "../../support/manager-fixtures.ts";

const simulation = simulationPerTest();

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
