/**
 * Countable resources (SPEC §6a) through the DaemonManager: a daemon whose units are held waits
 * in PENDING, visibly, and starts when they are released; a restart keeps its units; waiters are
 * served in the order they asked; modules get their units as `ctx.resources`. Simulated clock.
 */
import { describe, expect, it } from "vitest";
import { FAST, codeOf, simulationPerTest } from "../../support/manager-fixtures.ts";

const simulation = simulationPerTest();

describe("DaemonManager: resources", () => {
  it("keeps the second of two gpu daemons PENDING, visibly, until the first stops", async () => {
    const sim = simulation({ resources: { gpu: 1 } });
    const a = sim.daemon("A", {}, { requires: { gpu: 1 } });
    const b = sim.daemon("B", {}, { requires: { gpu: 1 } });
    await sim.run(sim.manager.start("A"));
    void sim.manager.start("B").catch(() => {});
    await sim.settle();
    expect(sim.states()).toEqual({ A: "RUNNING", B: "PENDING" });
    expect(sim.manager.statusOf("B").waitingFor).toBe("gpu: 1 of 1 held by A");
    expect(sim.manager.statusOf("A").resources).toEqual({ gpu: [0] });
    expect(a.ctx!.resources).toEqual({ gpu: [0] });
    const waiting = sim.events.filter((e) => e.type === "DAEMON_WAITING");
    expect(waiting.map((e) => e.data)).toEqual([
      { daemon: "B", from: "PENDING", waitingFor: "gpu: 1 of 1 held by A" },
    ]);
    await sim.run(sim.manager.stop("A"));
    await sim.settle();
    expect(sim.states()).toEqual({ A: "STOPPED", B: "RUNNING" });
    expect(b.ctx!.resources).toEqual({ gpu: [0] });
    expect(sim.manager.statusOf("B").waitingFor).toBeUndefined();
    expect(sim.manager.statusOf("A").resources).toBeUndefined();
  });

  it("keeps a restarting holder's units, so the waiter behind it goes on waiting", async () => {
    const sim = simulation({ resources: { gpu: 2 } });
    const a = sim.daemon("A", {}, { ...FAST, requires: { gpu: 2 } });
    sim.daemon("B", {}, { requires: { gpu: 1 } });
    await sim.run(sim.manager.start("A"));
    void sim.manager.start("B").catch(() => {});
    await sim.settle();
    a.ctx!.fail(new Error("boom"));
    await sim.settle();
    expect(sim.states()).toEqual({ A: "RESTARTING", B: "PENDING" });
    await sim.advance(1_000);
    expect(sim.states()).toEqual({ A: "RUNNING", B: "PENDING" });
    expect(a.ctx!.resources).toEqual({ gpu: [0, 1] });
  });

  it("serves waiters in the order they asked", async () => {
    const sim = simulation({ resources: { slot: 1 } });
    for (const name of ["A", "B", "C"]) sim.daemon(name, {}, { requires: { slot: 1 } });
    await sim.run(sim.manager.start("A"));
    void sim.manager.start("C").catch(() => {});
    await sim.settle();
    void sim.manager.start("B").catch(() => {});
    await sim.settle();
    await sim.run(sim.manager.stop("A"));
    await sim.settle();
    expect(sim.states()).toEqual({ A: "STOPPED", B: "PENDING", C: "RUNNING" });
    expect(sim.manager.statusOf("B").waitingFor).toBe("slot: 1 of 1 held by C");
  });

  it("refuses a requirement beyond what the machine has", async () => {
    const sim = simulation({ resources: { gpu: 1 } });
    expect(await codeOf(() => sim.daemon("A", {}, { requires: { gpu: 2 } }))).toBe(
      "WARDEN_ERR_CONFIG",
    );
  });
});
