/**
 * The lifecycle chart taking a daemon on where a previous manager left it
 * (machines/restart-record.ts): restart counters through the input, and
 * PENDING --RESUME_FAILED--> FAILED with the cool-down measured from the original failure.
 */
import { afterEach, describe, expect, it } from "vitest";
import { FAILED_BEFORE_RESTART } from "../../machines/restart-record.ts";
import { ChartRig } from "../support/lifecycle-harness.ts";

const POLICY = {
  restart: "on-failure",
  backoff: { initialMs: 1_000, maxMs: 8_000, factor: 2 },
  maxRestarts: 2,
  withinMs: 60_000,
  stopTimeoutMs: 5_000,
} as const;

let rig: ChartRig;
afterEach(() => rig.stop());

async function crash(error = "boom"): Promise<void> {
  await rig.report({ type: "CRASHED", error, exitCode: 1, signal: null });
}

describe("the lifecycle chart: resuming where a previous manager left off", () => {
  it("counts restored restarts against the intensity limit and continues the backoff", async () => {
    rig = new ChartRig(POLICY, { restored: { attempt: 1, restartTimes: [0] } });
    await rig.running();
    await crash("second");
    expect(rig.state).toBe("RESTARTING");
    // Attempt 2: half (random 0.5) of 1,000 × 2.
    expect(rig.last).toMatchObject({ attempt: 2, delayMs: 1_000 });
    await rig.finishStop();
    await rig.advance(1_000);
    await rig.finishStart();
    expect(rig.state).toBe("RUNNING");
    // Two restarts inside the window (one from before): the next crash is one too many.
    await crash("third");
    expect(rig.state).toBe("FAILED");
    expect(rig.last).toMatchObject({ reason: "intensity", error: "third" });
  });

  it("goes back to FAILED with the error it failed with, announced from PENDING", async () => {
    rig = new ChartRig(POLICY);
    await rig.advance(5_000);
    await rig.send({ type: "RESUME_FAILED", at: 1_000, error: "exit 1" });
    expect(rig.state).toBe("FAILED");
    expect(rig.last).toMatchObject({
      from: "PENDING",
      state: "FAILED",
      reason: FAILED_BEFORE_RESTART,
      error: "exit 1",
    });
    expect(rig.context.failure.at).toBe(1_000);
    // Nothing was started, and nothing brings it back without a cool-down.
    await rig.advance(3_600_000);
    expect(rig.state).toBe("FAILED");
    expect(rig.starts).toHaveLength(0);
    // A start does, with a reset counter.
    await rig.send({ type: "START" });
    expect(rig.state).toBe("STARTING");
    expect(rig.context).toMatchObject({ attempt: 0, restartTimes: [] });
  });

  it("runs the cool-down from when the daemon failed, not from when it was resumed", async () => {
    rig = new ChartRig({ ...POLICY, retryFailedAfterMs: 10_000 });
    await rig.advance(4_000);
    await rig.send({ type: "RESUME_FAILED", at: 0, error: "exit 1" });
    await rig.advance(5_999);
    expect(rig.state).toBe("FAILED");
    await rig.advance(1);
    expect(rig.state).toBe("STARTING");
    expect(rig.last).toMatchObject({ from: "PENDING", reason: "cool-down" });
  });

  it("keeps a resumed daemon FAILED when it is told to stop: no cool-down after that", async () => {
    rig = new ChartRig({ ...POLICY, retryFailedAfterMs: 10_000 });
    await rig.send({ type: "RESUME_FAILED", at: 0, error: undefined });
    await rig.send({ type: "STOP" });
    await rig.advance(60_000);
    expect(rig.state).toBe("FAILED");
  });

  it("takes RESUME_FAILED only in PENDING", async () => {
    rig = new ChartRig(POLICY);
    await rig.running();
    await rig.send({ type: "RESUME_FAILED", at: 0, error: "stale" });
    expect(rig.state).toBe("RUNNING");
  });
});
