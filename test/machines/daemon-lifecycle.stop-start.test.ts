/**
 * The lifecycle chart on its own: stops and starts as users ask for them (SPEC §2) — a stop
 * while STARTING cancels the start through its AbortSignal; a start (or restart) asked for while
 * STOPPING is remembered and taken once the stop finishes (STOPPED, then PENDING); a stop of a
 * FAILED daemon keeps it FAILED and cancels its cool-down.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ChartRig } from "../support/lifecycle-harness.ts";

const POLICY = {
  restart: "on-failure",
  backoff: { initialMs: 100, maxMs: 100, factor: 1 },
  maxRestarts: 3,
  stopTimeoutMs: 2_000,
} as const;

let rig: ChartRig;
afterEach(() => rig.stop());

describe("the lifecycle chart: stop", () => {
  it("cancels a start in progress through its AbortSignal, then stops the instance", async () => {
    rig = new ChartRig(POLICY);
    await rig.send({ type: "START" });
    const [start] = rig.starts;
    expect(start!.signal.aborted).toBe(false);

    await rig.send({ type: "STOP" });

    expect(start!.signal.aborted).toBe(true);
    expect(rig.state).toBe("STOPPING");
    expect(rig.stops).toHaveLength(1);
    // A start that still settles afterwards changes nothing.
    start!.resolve();
    await rig.finishStop();
    expect(rig.trail).toEqual(["PENDING", "STARTING", "STOPPING", "STOPPED"]);
  });

  it("stops a daemon waiting in PENDING and forgets its start", async () => {
    rig = new ChartRig(POLICY, { dependenciesReady: false });
    await rig.send({ type: "START" });

    await rig.send({ type: "STOP" });
    await rig.send({ type: "DEPENDENCIES_READY" });

    expect(rig.state).toBe("STOPPED");
    expect(rig.starts).toHaveLength(0);
  });

  it("stops a RUNNING daemon through stopInstance with the daemon's name", async () => {
    rig = new ChartRig(POLICY);
    await rig.running();

    await rig.send({ type: "STOP" });

    expect(rig.watching).toBe(false);
    expect(rig.stops).toEqual([expect.objectContaining({ input: { name: "svc" } })]);
    await rig.finishStop();
    expect(rig.last).toMatchObject({ state: "STOPPED", from: "STOPPING", reason: "stop" });
  });

  it("keeps a FAILED daemon FAILED on a stop, and cancels its cool-down", async () => {
    rig = new ChartRig({ ...POLICY, restart: "never", retryFailedAfterMs: 10_000 });
    await rig.send({ type: "START" });
    await rig.failStart();
    expect(rig.state).toBe("FAILED");

    await rig.send({ type: "STOP" });
    await rig.advance(20_000);

    expect(rig.state).toBe("FAILED");
  });
});

describe("the lifecycle chart: start", () => {
  it("takes a START while STOPPING once the stop is done: STOPPED, then PENDING", async () => {
    rig = new ChartRig(POLICY);
    await rig.running();
    await rig.send({ type: "STOP" });

    await rig.send({ type: "START" });
    expect(rig.state).toBe("STOPPING");
    expect(rig.starts).toHaveLength(1);
    await rig.finishStop();

    expect(rig.state).toBe("STARTING");
    expect(rig.starts).toHaveLength(2);
    expect(rig.transitions.slice(-3)).toMatchObject([
      { state: "STOPPED", from: "STOPPING", reason: "stop", forced: false },
      { state: "PENDING", from: "STOPPED", reason: "start" },
      { state: "STARTING", from: "PENDING" },
    ]);
    await rig.finishStart();
    expect(rig.state).toBe("RUNNING");
  });

  it("takes a RESTART while STOPPING the same way", async () => {
    rig = new ChartRig(POLICY);
    await rig.running();
    await rig.send({ type: "STOP" });

    await rig.send({ type: "RESTART" });
    await rig.finishStop();

    expect(rig.trail.slice(-3)).toEqual(["STOPPED", "PENDING", "STARTING"]);
  });

  it("starts again after a forced stop too", async () => {
    rig = new ChartRig(POLICY);
    await rig.running();
    await rig.send({ type: "STOP" });
    await rig.send({ type: "START" });

    await rig.advance(1_999);
    expect(rig.kills).toBe(0);
    await rig.advance(1);

    // Killed at the stop timeout (and once more, idempotently, as the new start begins).
    expect(rig.kills).toBeGreaterThan(0);
    expect(rig.transitions.at(-3)).toMatchObject({ state: "STOPPED", forced: true });
    expect(rig.state).toBe("STARTING");
  });

  it("forgets a START while STOPPING when a STOP follows", async () => {
    rig = new ChartRig(POLICY);
    await rig.running();
    await rig.send({ type: "STOP" });
    await rig.send({ type: "START" });

    await rig.send({ type: "STOP" });
    await rig.finishStop();

    expect(rig.state).toBe("STOPPED");
    expect(rig.starts).toHaveLength(1);
  });

  it("resets the restart counter and the intensity window, as a start from STOPPED does", async () => {
    rig = new ChartRig(POLICY);
    await rig.running();
    await rig.report({ type: "CRASHED", error: "boom" });
    await rig.finishStop();
    await rig.advance(100);
    await rig.finishStart();
    expect(rig.context).toMatchObject({ attempt: 1, restartTimes: [expect.any(Number)] });
    await rig.send({ type: "STOP" });

    await rig.send({ type: "START" });
    await rig.finishStop();

    expect(rig.context).toMatchObject({ attempt: 0, restartTimes: [], restarts: 1 });
  });

  it("waits in PENDING after the stop when the dependencies are not ready", async () => {
    rig = new ChartRig(POLICY);
    await rig.running();
    await rig.send({ type: "STOP" });
    await rig.send({ type: "START" });
    await rig.send({ type: "DEPENDENCY_LOST", dependency: "db" });

    await rig.finishStop();

    expect(rig.state).toBe("PENDING");
    await rig.send({ type: "DEPENDENCIES_READY" });
    expect(rig.state).toBe("STARTING");
  });

  it("starts a STOPPED or FAILED daemon again with a fresh restart counter", async () => {
    rig = new ChartRig({ ...POLICY, restart: "never" });
    await rig.send({ type: "START" });
    await rig.failStart();
    expect(rig.state).toBe("FAILED");

    await rig.send({ type: "RESTART" });

    expect(rig.trail.slice(-2)).toEqual(["PENDING", "STARTING"]);
    await rig.finishStart();
    await rig.send({ type: "STOP" });
    await rig.finishStop();
    await rig.send({ type: "START" });
    expect(rig.state).toBe("STARTING");
  });

  it("ignores a START while STARTING or RUNNING", async () => {
    rig = new ChartRig(POLICY);
    await rig.send({ type: "START" });
    await rig.send({ type: "START" });
    expect(rig.starts).toHaveLength(1);
    await rig.finishStart();
    await rig.send({ type: "START" });
    expect(rig.state).toBe("RUNNING");
    expect(rig.starts).toHaveLength(1);
  });
});
