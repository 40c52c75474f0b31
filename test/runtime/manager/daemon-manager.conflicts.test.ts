/**
 * `conflicts` (SPEC §6a) through the DaemonManager: a start beside an active conflicting daemon is
 * refused (WARDEN_ERR_CONFLICT, naming it) whichever side declared the conflict; `replace` stops
 * the other first; a daemon restarting counts as active, so nothing started meanwhile can meet it.
 * Simulated clock.
 */
import { describe, expect, it } from "vitest";
import { FAST, codeOf, simulationPerTest } from "../../support/manager-fixtures.ts";

const simulation = simulationPerTest();

describe("DaemonManager: conflicts", () => {
  it("refuses to start B while A, which declares the conflict, runs", async () => {
    const sim = simulation();
    sim.daemon("A", {}, { conflicts: ["B"] });
    sim.daemon("B", {});
    await sim.run(sim.manager.start("A"));
    expect(await codeOf(() => sim.manager.start("B"))).toBe("WARDEN_ERR_CONFLICT");
    await expect(sim.manager.start("B")).rejects.toThrow(
      /"B".*conflicts with "A", which is RUNNING/,
    );
    expect(sim.states()).toEqual({ A: "RUNNING", B: "PENDING" });
  });

  it("is symmetric: refuses A while B runs", async () => {
    const sim = simulation();
    sim.daemon("A", {}, { conflicts: ["B"] });
    sim.daemon("B", {});
    await sim.run(sim.manager.start("B"));
    await expect(sim.manager.start("A")).rejects.toThrow(/conflicts with "B"/);
  });

  it("refuses a dependent whose dependency conflicts with a running daemon", async () => {
    const sim = simulation();
    sim.daemon("A", {}, { conflicts: ["B"] });
    sim.daemon("B", {});
    sim.daemon("C", {}, { dependsOn: ["B"] });
    await sim.run(sim.manager.start("A"));
    expect(await codeOf(() => sim.manager.start("C"))).toBe("WARDEN_ERR_CONFLICT");
  });

  it("refuses starting both sides at once", async () => {
    const sim = simulation();
    sim.daemon("A", {}, { conflicts: ["B"] });
    sim.daemon("B", {});
    expect(await codeOf(() => sim.manager.startMany(["A", "B"]))).toBe("WARDEN_ERR_CONFLICT");
  });

  it("with replace, stops the conflicting daemon first", async () => {
    const sim = simulation();
    sim.daemon("A", {}, { conflicts: ["B"] });
    sim.daemon("B", {});
    await sim.run(sim.manager.start("A"));
    await sim.run(sim.manager.start("B", { replace: true }));
    expect(sim.states()).toEqual({ A: "STOPPED", B: "RUNNING" });
    const order = sim.events
      .filter((e) => e.type === "DAEMON_STOPPED" || e.type === "DAEMON_STARTED")
      .map((e) => `${e.type}:${(e.data as { daemon: string }).daemon}`);
    expect(order.indexOf("DAEMON_STOPPED:A")).toBeLessThan(order.lastIndexOf("DAEMON_STARTED:B"));
  });

  it("counts a restarting daemon as active: B is refused until A is stopped", async () => {
    const sim = simulation();
    const a = sim.daemon("A", {}, { ...FAST, conflicts: ["B"] });
    sim.daemon("B", {});
    await sim.run(sim.manager.start("A"));
    a.ctx!.fail(new Error("boom"));
    await sim.settle();
    expect(sim.states()).toMatchObject({ A: "RESTARTING" });
    expect(await codeOf(() => sim.manager.start("B"))).toBe("WARDEN_ERR_CONFLICT");
    await sim.advance(1_000);
    expect(sim.states()).toEqual({ A: "RUNNING", B: "PENDING" });
  });

  it("lets B start once A is stopped", async () => {
    const sim = simulation();
    sim.daemon("A", {}, { conflicts: ["B"] });
    sim.daemon("B", {});
    await sim.run(sim.manager.start("A"));
    await sim.run(sim.manager.stop("A"));
    await sim.run(sim.manager.start("B"));
    expect(sim.states()).toEqual({ A: "STOPPED", B: "RUNNING" });
  });
});
