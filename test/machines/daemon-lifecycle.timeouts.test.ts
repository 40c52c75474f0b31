/**
 * The lifecycle chart on its own: the start timeout, and the stop timeout that the chart alone
 * enforces — in STOPPING and in RESTARTING it runs the provided `killInstance` action when the
 * time is up (SPEC §2, §4: SIGKILL after `stopTimeoutMs`).
 */
import { afterEach, describe, expect, it } from "vitest";
import { ChartRig } from "../support/lifecycle-harness.ts";

const POLICY = {
  restart: "on-failure",
  backoff: { initialMs: 100, maxMs: 100, factor: 1 },
  startTimeoutMs: 3_000,
  stopTimeoutMs: 2_000,
} as const;

let rig: ChartRig;
afterEach(() => rig.stop());

describe("the lifecycle chart: start timeout", () => {
  it("cancels a start that takes too long and restarts, counted", async () => {
    rig = new ChartRig(POLICY);
    await rig.send({ type: "START" });
    const [start] = rig.starts;

    await rig.advance(2_999);
    expect(rig.state).toBe("STARTING");
    await rig.advance(1);

    expect(rig.state).toBe("RESTARTING");
    expect(start!.signal.aborted).toBe(true);
    expect(rig.last).toMatchObject({
      from: "STARTING",
      reason: "start-timeout",
      error: "start timed out",
      attempt: 1,
    });
    // The half-started instance is stopped before the next start.
    expect(rig.stops).toHaveLength(1);
  });

  it("fails a start that takes too long when no restart is allowed", async () => {
    rig = new ChartRig({ ...POLICY, restart: "never" });
    await rig.send({ type: "START" });

    await rig.advance(3_000);

    expect(rig.state).toBe("FAILED");
    expect(rig.last).toMatchObject({ reason: "policy", error: "start timed out" });
    expect(rig.kills).toBe(1);
  });

  it("takes a failed start as a counted restart, with the start's error", async () => {
    rig = new ChartRig(POLICY);
    await rig.send({ type: "START" });

    await rig.failStart(Object.assign(new Error("exited first"), { exitCode: 2 }));

    expect(rig.state).toBe("RESTARTING");
    expect(rig.last).toMatchObject({
      reason: "start-failed",
      error: "exited first",
      exitCode: 2,
      signal: null,
    });
  });
});

describe("the lifecycle chart: stop timeout", () => {
  it("ends a stop in time without a kill", async () => {
    rig = new ChartRig(POLICY);
    await rig.running();
    await rig.send({ type: "STOP" });
    await rig.advance(1_999);

    await rig.finishStop();

    expect(rig.state).toBe("STOPPED");
    expect(rig.last).toMatchObject({ from: "STOPPING", reason: "stop", forced: false });
    expect(rig.kills).toBe(0);
  });

  it("kills through killInstance when the stop times out, and says the stop was forced", async () => {
    rig = new ChartRig(POLICY);
    await rig.running();
    await rig.send({ type: "STOP" });
    const [stop] = rig.stops;

    await rig.advance(2_000);

    expect(rig.state).toBe("STOPPED");
    expect(rig.last).toMatchObject({ from: "STOPPING", forced: true });
    expect(rig.kills).toBe(1);
    // The stop actor is stopped: its signal tells the driver to give up waiting.
    expect(stop!.signal.aborted).toBe(true);
  });

  it("kills when the stop fails", async () => {
    rig = new ChartRig(POLICY);
    await rig.running();
    await rig.send({ type: "STOP" });

    await rig.failStop(new Error("stop threw"));

    expect(rig.state).toBe("STOPPED");
    expect(rig.last).toMatchObject({ error: "stop threw", forced: false });
    expect(rig.kills).toBe(1);
  });

  it("kills an old instance that outlives the stop timeout while RESTARTING, then starts", async () => {
    rig = new ChartRig(POLICY);
    await rig.running();
    await rig.report({ type: "CRASHED", error: "boom" });
    await rig.advance(100);
    expect(rig.state).toBe("RESTARTING");
    expect(rig.kills).toBe(0);

    await rig.advance(1_900);

    expect(rig.kills).toBe(1);
    expect(rig.state).toBe("STARTING");
    expect(rig.context.forced).toBe(false); // reset by STARTING
  });

  it("kills at once when a stop comes while RESTARTING", async () => {
    rig = new ChartRig(POLICY);
    await rig.running();
    await rig.report({ type: "CRASHED", error: "boom" });

    await rig.send({ type: "STOP" });

    expect(rig.state).toBe("STOPPED");
    expect(rig.last).toMatchObject({ from: "RESTARTING", reason: "stop" });
    expect(rig.kills).toBe(1);
  });
});
