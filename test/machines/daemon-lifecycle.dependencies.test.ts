/**
 * The lifecycle chart on its own: a start waits in PENDING for the dependencies (SPEC §3), and a
 * dependency leaving RUNNING sends the daemon to RESTARTING without counting against its
 * intensity limit (OTP's rest_for_one), until the supervisor says they are ready again.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ChartRig } from "../support/lifecycle-harness.ts";

const POLICY = {
  restart: "on-failure",
  backoff: { initialMs: 100, maxMs: 100, factor: 1 },
  maxRestarts: 1,
  withinMs: 60_000,
} as const;

const LOST = { type: "DEPENDENCY_LOST", dependency: "db" } as const;

let rig: ChartRig;
afterEach(() => rig.stop());

describe("the lifecycle chart: dependencies", () => {
  it("waits in PENDING until the dependencies are ready, then starts", async () => {
    rig = new ChartRig(POLICY, { dependenciesReady: false });

    await rig.send({ type: "START" });
    await rig.advance(60_000);
    expect(rig.state).toBe("PENDING");
    expect(rig.starts).toHaveLength(0);

    await rig.send({ type: "DEPENDENCIES_READY" });

    expect(rig.state).toBe("STARTING");
    expect(rig.starts).toEqual([expect.objectContaining({ input: { name: "svc" } })]);
  });

  it("does not start on ready dependencies alone", async () => {
    rig = new ChartRig(POLICY, { dependenciesReady: false });
    await rig.send({ type: "DEPENDENCIES_READY" });
    expect(rig.state).toBe("PENDING");
  });

  it("restarts, uncounted, when a dependency leaves RUNNING, and waits for it", async () => {
    rig = new ChartRig(POLICY);
    await rig.running();

    await rig.send(LOST);

    expect(rig.state).toBe("RESTARTING");
    expect(rig.last).toMatchObject({ reason: "dependency", attempt: 0, delayMs: 0 });
    expect(rig.context.restartTimes).toEqual([]);
    await rig.finishStop();
    await rig.advance(60_000);
    expect(rig.state).toBe("RESTARTING");

    await rig.send({ type: "DEPENDENCIES_READY" });
    expect(rig.state).toBe("STARTING");
  });

  it("never reaches the intensity limit through dependency restarts", async () => {
    rig = new ChartRig(POLICY);
    await rig.running();
    for (let i = 0; i < 5; i++) {
      await rig.send(LOST);
      await rig.finishStop();
      await rig.advance(0); // the backoff of an uncounted restart: 0 ms
      await rig.send({ type: "DEPENDENCIES_READY" });
      await rig.finishStart();
      expect(rig.state).toBe("RUNNING");
    }
    // One counted restart is still allowed (maxRestarts: 1).
    await rig.report({ type: "CRASHED", error: "boom" });
    expect(rig.state).toBe("RESTARTING");
  });

  it("abandons a start when a dependency is lost meanwhile", async () => {
    rig = new ChartRig(POLICY);
    await rig.send({ type: "START" });
    const [start] = rig.starts;

    await rig.send(LOST);

    expect(rig.state).toBe("RESTARTING");
    expect(start!.signal.aborted).toBe(true);
    expect(rig.last).toMatchObject({ from: "STARTING", reason: "dependency" });
  });

  it("stops instead under restart: never", async () => {
    rig = new ChartRig({ ...POLICY, restart: "never" });
    await rig.running();

    await rig.send(LOST);

    expect(rig.state).toBe("STOPPING");
    expect(rig.last).toMatchObject({ reason: "dependency" });
    await rig.finishStop();
    expect(rig.state).toBe("STOPPED");
  });

  it("remembers a lost dependency in every state", async () => {
    rig = new ChartRig(POLICY);
    await rig.send(LOST);
    await rig.send({ type: "START" });
    expect(rig.state).toBe("PENDING");
    await rig.send({ type: "DEPENDENCIES_READY" });
    expect(rig.state).toBe("STARTING");
  });
});
