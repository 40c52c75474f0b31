/**
 * The lifecycle chart on its own: health results up to `failureThreshold`, changes of health
 * announced to the supervisor, and the heartbeat watchdog (SPEC §2).
 */
import { afterEach, describe, expect, it } from "vitest";
import { ChartRig } from "../support/lifecycle-harness.ts";

const POLICY = {
  restart: "on-failure",
  backoff: { initialMs: 100, maxMs: 100, factor: 1 },
  health: { intervalMs: 1_000, timeoutMs: 500, failureThreshold: 3 },
} as const;

let rig: ChartRig;
afterEach(() => rig.stop());

const unhealthy = (detail: string) => ({ type: "HEALTH_RESULT", healthy: false, detail }) as const;
const healthy = { type: "HEALTH_RESULT", healthy: true } as const;

describe("the lifecycle chart: health", () => {
  it("announces only changes of health, and keeps running below the threshold", async () => {
    rig = new ChartRig(POLICY);
    await rig.running();

    await rig.report(unhealthy("slow"));
    await rig.report(unhealthy("slower"));
    await rig.report(healthy);
    await rig.report(healthy);

    expect(rig.state).toBe("RUNNING");
    expect(rig.healthChanges).toEqual([
      { type: "DAEMON.HEALTH", name: "svc", healthy: false, detail: "slow" },
      { type: "DAEMON.HEALTH", name: "svc", healthy: true, detail: undefined },
    ]);
    expect(rig.context).toMatchObject({ healthy: true, healthFailures: 0, lastError: "slower" });
  });

  it("restarts, counted, after failureThreshold failures in a row", async () => {
    rig = new ChartRig(POLICY);
    await rig.running();
    await rig.report(unhealthy("a"));
    await rig.report(unhealthy("b"));
    expect(rig.state).toBe("RUNNING");

    await rig.report(unhealthy("c"));

    expect(rig.state).toBe("RESTARTING");
    expect(rig.last).toMatchObject({ reason: "health", error: "health check failed", attempt: 1 });
    expect(rig.context.healthy).toBeUndefined();
  });

  it("counts failures in a row only: a healthy result starts over", async () => {
    rig = new ChartRig(POLICY);
    await rig.running();
    for (const report of [
      unhealthy("a"),
      unhealthy("b"),
      healthy,
      unhealthy("c"),
      unhealthy("d"),
    ]) {
      await rig.report(report);
    }
    expect(rig.state).toBe("RUNNING");
  });

  it("fails at the threshold when no restart is allowed", async () => {
    rig = new ChartRig({
      ...POLICY,
      restart: "never",
      health: { ...POLICY.health, failureThreshold: 1 },
    });
    await rig.running();

    await rig.report(unhealthy("down"));

    expect(rig.state).toBe("FAILED");
    expect(rig.last).toMatchObject({ reason: "policy", error: "health check failed" });
  });
});

describe("the lifecycle chart: heartbeat watchdog", () => {
  it("restarts a daemon that sends no heartbeat for heartbeatTimeoutMs", async () => {
    rig = new ChartRig({ ...POLICY, heartbeatTimeoutMs: 5_000 });
    await rig.running();

    await rig.advance(4_999);
    expect(rig.state).toBe("RUNNING");
    await rig.advance(1);

    expect(rig.state).toBe("RESTARTING");
    expect(rig.last).toMatchObject({ reason: "heartbeat", error: "no heartbeat" });
  });

  it("starts the watchdog over at every heartbeat", async () => {
    rig = new ChartRig({ ...POLICY, heartbeatTimeoutMs: 5_000 });
    await rig.running();
    for (let i = 0; i < 5; i++) {
      await rig.advance(4_000);
      await rig.report({ type: "HEARTBEAT" });
    }
    expect(rig.state).toBe("RUNNING");

    await rig.advance(5_000);
    expect(rig.state).toBe("RESTARTING");
  });

  it("has no watchdog without heartbeatTimeoutMs", async () => {
    rig = new ChartRig(POLICY);
    await rig.running();
    await rig.advance(3_600_000);
    expect(rig.state).toBe("RUNNING");
  });

  it("fails on a missed heartbeat when no restart is allowed", async () => {
    rig = new ChartRig({ ...POLICY, restart: "never", heartbeatTimeoutMs: 1_000 });
    await rig.running();

    await rig.advance(1_000);

    expect(rig.state).toBe("FAILED");
    expect(rig.last).toMatchObject({ reason: "policy", error: "no heartbeat" });
  });
});
