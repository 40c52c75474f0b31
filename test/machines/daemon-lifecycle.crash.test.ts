/**
 * The lifecycle chart on its own: a crash or an exit of the running instance, the backoff, the
 * restart, and the intensity limit that ends in FAILED (SPEC §2).
 */
import { afterEach, describe, expect, it } from "vitest";
import { ChartRig } from "../support/lifecycle-harness.ts";

const POLICY = {
  restart: "on-failure",
  backoff: { initialMs: 1_000, maxMs: 8_000, factor: 2 },
  maxRestarts: 2,
  withinMs: 60_000,
  resetAfterMs: 30_000,
  stopTimeoutMs: 5_000,
} as const;

let rig: ChartRig;
afterEach(() => rig.stop());

/** A crash of the running instance, its old instance stopped at once. */
async function crash(error = "boom"): Promise<void> {
  await rig.report({ type: "CRASHED", error, exitCode: 3, signal: null });
  await rig.finishStop();
}

describe("the lifecycle chart: crashes and exits", () => {
  it("restarts a crashed daemon after the backoff, stopping the old instance first", async () => {
    rig = new ChartRig(POLICY);
    await rig.running();

    await rig.report({ type: "CRASHED", error: "boom", exitCode: 3, signal: null });

    expect(rig.state).toBe("RESTARTING");
    expect(rig.watching).toBe(false);
    expect(rig.last).toMatchObject({
      from: "RUNNING",
      reason: "crash",
      error: "boom",
      attempt: 1,
      // Full jitter with random() = 0.5 under a 1,000 ms cap.
      delayMs: 500,
      exitCode: 3,
    });
    expect(rig.stops).toHaveLength(1);
    await rig.finishStop();
    await rig.advance(499);
    expect(rig.state).toBe("RESTARTING");
    expect(rig.starts).toHaveLength(1);

    await rig.advance(1);

    expect(rig.state).toBe("STARTING");
    expect(rig.starts).toHaveLength(2);
    await rig.finishStart();
    expect(rig.state).toBe("RUNNING");
    expect(rig.context.restarts).toBe(1);
    expect(rig.trail).toEqual([
      "PENDING",
      "STARTING",
      "RUNNING",
      "RESTARTING",
      "STARTING",
      "RUNNING",
    ]);
  });

  it("waits for the old instance to be gone, however long the backoff", async () => {
    rig = new ChartRig(POLICY);
    await rig.running();
    await rig.report({ type: "CRASHED", error: "boom" });

    await rig.advance(2_000);
    expect(rig.state).toBe("RESTARTING");

    await rig.finishStop();
    expect(rig.state).toBe("STARTING");
  });

  it("doubles the backoff cap with every attempt", async () => {
    rig = new ChartRig({ ...POLICY, maxRestarts: 10 });
    await rig.running();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      await crash();
      delays.push(rig.last.delayMs);
      await rig.advance(rig.last.delayMs);
      await rig.finishStart();
    }
    expect(delays).toEqual([500, 1_000, 2_000, 4_000]);
  });

  it("ends in FAILED once the restarts exceed the intensity limit, and kills what is left", async () => {
    rig = new ChartRig(POLICY);
    await rig.running();
    for (let i = 0; i < 2; i++) {
      await crash();
      await rig.advance(rig.last.delayMs);
      await rig.finishStart();
    }
    const kills = rig.kills;

    await rig.report({ type: "CRASHED", error: "third" });

    expect(rig.state).toBe("FAILED");
    expect(rig.last).toMatchObject({ from: "RUNNING", reason: "intensity", error: "third" });
    expect(rig.kills).toBe(kills + 1);
    expect(rig.context.restarts).toBe(2);
  });

  it("forgets restarts that left the intensity window", async () => {
    rig = new ChartRig(POLICY);
    await rig.running();
    for (let i = 0; i < 2; i++) {
      await crash();
      await rig.advance(rig.last.delayMs);
      await rig.finishStart();
    }

    await rig.advance(60_000);
    await crash();

    expect(rig.state).toBe("RESTARTING");
  });

  it("resets the attempt counter once the daemon stays RUNNING for resetAfterMs", async () => {
    rig = new ChartRig({ ...POLICY, maxRestarts: 10 });
    await rig.running();
    await crash();
    await rig.advance(rig.last.delayMs);
    await rig.finishStart();
    expect(rig.context.attempt).toBe(1);

    await rig.advance(30_000);
    expect(rig.context.attempt).toBe(0);
    await crash();
    expect(rig.last).toMatchObject({ attempt: 1, delayMs: 500 });
  });

  it("fails at once under restart: never", async () => {
    rig = new ChartRig({ ...POLICY, restart: "never" });
    await rig.running();

    await rig.report({ type: "CRASHED", error: "boom" });

    expect(rig.state).toBe("FAILED");
    expect(rig.last).toMatchObject({ reason: "policy", error: "boom" });
    expect(rig.kills).toBe(1);
  });

  it("stops on a clean exit unless the policy is always", async () => {
    rig = new ChartRig(POLICY);
    await rig.running();

    await rig.report({ type: "EXITED", exitCode: 0, signal: null });

    expect(rig.state).toBe("STOPPED");
    expect(rig.last).toMatchObject({ from: "RUNNING", reason: "exit", exitCode: 0 });
  });

  it("restarts a clean exit under always, counted", async () => {
    rig = new ChartRig({ ...POLICY, restart: "always" });
    await rig.running();

    await rig.report({ type: "EXITED", exitCode: 0, signal: null });

    expect(rig.state).toBe("RESTARTING");
    expect(rig.last).toMatchObject({ reason: "exit", attempt: 1, delayMs: 500 });
    expect(rig.context.restartTimes).toHaveLength(1);
  });

  it("kills what a cleanly exited instance left behind at the stop timeout", async () => {
    rig = new ChartRig(POLICY);
    await rig.running();
    await rig.report({ type: "EXITED", exitCode: 0, signal: null });

    await rig.advance(4_999);
    expect(rig.kills).toBe(0);
    await rig.advance(1);

    expect(rig.kills).toBe(1);
    expect(rig.state).toBe("STOPPED");
  });

  it("kills those leftovers at once when the daemon is started again first", async () => {
    rig = new ChartRig(POLICY);
    await rig.running();
    await rig.report({ type: "EXITED", exitCode: 0, signal: null });
    await rig.advance(1_000);

    await rig.send({ type: "START" });

    expect(rig.kills).toBe(1);
    expect(rig.state).toBe("STARTING");
    await rig.finishStart();
    await rig.advance(10_000);
    expect(rig.kills).toBe(1);
  });
});
