/**
 * The pure part of restart state across manager restarts (machines/restart-record.ts): where a
 * daemon resumes from its record, and what record its lifecycle context amounts to.
 */
import { describe, expect, it } from "vitest";
import { initialContext, type LifecycleContext } from "../../machines/lifecycle-context.ts";
import { resolvePolicy, type DaemonPolicyOptions } from "../../machines/daemon-policy.ts";
import {
  FAILED_BEFORE_RESTART,
  recordOf,
  resumption,
  sameRecord,
  type RestartRecord,
} from "../../machines/restart-record.ts";

const policy = (options: DaemonPolicyOptions = {}) =>
  resolvePolicy({ maxRestarts: 3, withinMs: 60_000, ...options });

const FAILED: RestartRecord = {
  attempt: 4,
  restartTimes: [10_000, 20_000, 30_000],
  failed: { at: 31_000, reason: "intensity", error: "exit 1" },
};

describe("resumption", () => {
  it("starts a daemon without a record fresh", () => {
    expect(resumption(undefined, policy(), 50_000)).toEqual({ attempt: 0, restartTimes: [] });
  });

  it("keeps the restarts still inside withinMs and the backoff attempt", () => {
    const record = { attempt: 3, restartTimes: [1_000, 50_000, 60_000] };
    expect(resumption(record, policy(), 70_000)).toEqual({
      attempt: 3,
      restartTimes: [50_000, 60_000],
    });
  });

  it("drops restart times from the future and keeps at most maxRestarts + 1", () => {
    const record = { attempt: 9, restartTimes: [1, 2, 3, 4, 5, 6, 99_999] };
    expect(resumption(record, policy(), 100).restartTimes).toEqual([3, 4, 5, 6]);
  });

  it("sends a FAILED daemon back to FAILED, with when and why", () => {
    expect(resumption(FAILED, policy(), 40_000)).toEqual({
      attempt: 4,
      restartTimes: [10_000, 20_000, 30_000],
      failed: { at: 31_000, reason: "intensity", error: "exit 1" },
    });
  });

  it("starts a FAILED daemon started by name fresh: the start resets its counter", () => {
    expect(resumption(FAILED, policy(), 40_000, true)).toEqual({ attempt: 0, restartTimes: [] });
  });

  it("starts a FAILED daemon fresh once its cool-down, counted from the failure, is over", () => {
    const coolDown = policy({ retryFailedAfterMs: 60_000 });
    expect(resumption(FAILED, coolDown, 90_999).failed).toBeDefined();
    expect(resumption(FAILED, coolDown, 91_000)).toEqual({ attempt: 0, restartTimes: [] });
  });

  it("gives a critical daemon its retry (its failure escalated), with its window kept", () => {
    expect(resumption(FAILED, policy({ critical: true }), 40_000)).toEqual({
      attempt: 4,
      restartTimes: [10_000, 20_000, 30_000],
    });
  });

  it("does not let a failure from the future put the cool-down off", () => {
    const future = { ...FAILED, failed: { at: 500_000, reason: "policy" } };
    expect(resumption(future, policy(), 40_000).failed?.at).toBe(40_000);
  });
});

function context(update: Partial<LifecycleContext> = {}): LifecycleContext {
  const base = initialContext({
    name: "db",
    policy: policy(),
    now: () => 0,
    dependenciesReady: true,
  });
  return { ...base, ...update };
}

describe("recordOf", () => {
  it("has nothing to remember of a daemon that never restarted", () => {
    expect(recordOf("RUNNING", context(), 1_000, undefined)).toBeUndefined();
  });

  it("has nothing to remember once the window is empty and the attempt reset", () => {
    const old = context({ restartTimes: [1_000] });
    expect(recordOf("RUNNING", old, 100_000, undefined)).toBeUndefined();
  });

  it("remembers the window and the attempt", () => {
    const looping = context({ attempt: 2, restartTimes: [1_000, 2_000] });
    expect(recordOf("RESTARTING", looping, 3_000, undefined)).toEqual({
      attempt: 2,
      restartTimes: [1_000, 2_000],
    });
  });

  it("remembers a FAILED daemon's failure: when, the reason and the error", () => {
    const failed = context({
      attempt: 3,
      reason: "intensity",
      lastError: "exit 1",
      failure: { at: 5_000, coolDownCancelled: false },
    });
    expect(recordOf("FAILED", failed, 5_000, undefined)?.failed).toEqual({
      at: 5_000,
      reason: "intensity",
      error: "exit 1",
    });
    // Not FAILED any more: the failure is forgotten.
    expect(recordOf("PENDING", failed, 5_000, undefined)?.failed).toBeUndefined();
  });

  it("keeps the original reason of a daemon still FAILED from before the manager restarted", () => {
    const resumed = context({
      attempt: 4,
      reason: FAILED_BEFORE_RESTART,
      lastError: "exit 1",
      failure: { at: 31_000, coolDownCancelled: false },
    });
    expect(recordOf("FAILED", resumed, 40_000, FAILED)?.failed).toBe(FAILED.failed);
  });
});

describe("sameRecord", () => {
  it("compares every field", () => {
    expect(sameRecord(undefined, undefined)).toBe(true);
    expect(sameRecord(FAILED, undefined)).toBe(false);
    expect(sameRecord(FAILED, structuredClone(FAILED))).toBe(true);
    expect(sameRecord(FAILED, { ...FAILED, attempt: 5 })).toBe(false);
    expect(sameRecord(FAILED, { ...FAILED, restartTimes: [10_000, 20_000, 30_001] })).toBe(false);
    expect(sameRecord(FAILED, { ...FAILED, failed: { ...FAILED.failed!, error: "x" } })).toBe(
      false,
    );
  });
});
