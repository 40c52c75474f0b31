/**
 * The lifecycle chart on its own: a daemon that requires resources (SPEC §6a) asks for them only
 * once it is asked to start and its dependencies run, waits in PENDING until RESOURCES_GRANTED,
 * keeps them through a restart, and asks again after a stop.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ChartRig } from "../support/lifecycle-harness.ts";

const POLICY = {
  restart: "on-failure",
  backoff: { initialMs: 100, maxMs: 100, factor: 1 },
} as const;

let rig: ChartRig;
afterEach(() => rig.stop());

describe("the lifecycle chart: resources", () => {
  it("asks once started with its dependencies ready, and starts when granted", async () => {
    rig = new ChartRig(POLICY, { dependenciesReady: false, needsResources: true });
    await rig.send({ type: "START" });
    expect(rig.resourceRequests, "not before the dependencies run").toBe(0);
    await rig.send({ type: "DEPENDENCIES_READY" });
    expect(rig.resourceRequests).toBe(1);
    await rig.advance(60_000);
    expect(rig.state).toBe("PENDING");
    expect(rig.starts).toHaveLength(0);
    await rig.send({ type: "RESOURCES_GRANTED" });
    expect(rig.state).toBe("STARTING");
  });

  it("keeps its grant through a restart, and asks again after a stop", async () => {
    rig = new ChartRig(POLICY, { needsResources: true });
    await rig.send({ type: "START" });
    await rig.send({ type: "RESOURCES_GRANTED" });
    rig.starts[0]!.resolve();
    await rig.advance(0);
    expect(rig.state).toBe("RUNNING");
    await rig.send({ type: "CRASHED", error: "boom" });
    rig.stops[0]!.resolve();
    await rig.advance(1_000);
    expect(rig.state, "the restart needs no new grant").toBe("STARTING");
    await rig.send({ type: "STOP" });
    rig.stops[1]!.resolve();
    await rig.advance(0);
    expect(rig.state).toBe("STOPPED");
    await rig.send({ type: "START" });
    expect(rig.state).toBe("PENDING");
    expect(rig.resourceRequests).toBe(2);
  });

  it("gives up its grant when a dependency leaves while it is PENDING", async () => {
    rig = new ChartRig(POLICY, { dependenciesReady: false, needsResources: true });
    await rig.send({ type: "RESOURCES_GRANTED" });
    await rig.send({ type: "DEPENDENCY_LOST", dependency: "db" });
    await rig.send({ type: "DEPENDENCIES_READY" });
    await rig.send({ type: "START" });
    expect(rig.state).toBe("PENDING");
    expect(rig.context.ready).toEqual({ dependencies: true, resources: false });
  });
});
