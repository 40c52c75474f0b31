/**
 * The pure rules behind DAEMON_WATCHDOG (machines/watchdog-policy.ts): when a daemon is stuck,
 * how an episode is named, and when a look is too late to act on. Kept next to the watchdog's
 * other tests.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LIFECYCLE_STATES } from "../../../machines/lifecycle-states.ts";
import { lookIsLate, stuckOf, type DaemonTiming } from "../../../machines/watchdog-policy.ts";

function timing(fields: Partial<DaemonTiming>): DaemonTiming {
  return {
    name: "db",
    state: "RUNNING",
    since: 0,
    lastHeartbeatAt: undefined,
    startTimeoutMs: 30_000,
    stopTimeoutMs: 10_000,
    heartbeatTimeoutMs: undefined,
    ...fields,
  };
}

describe("stuckOf", () => {
  it("holds a start for stuck only past startTimeoutMs + grace", () => {
    const starting = timing({ state: "STARTING", since: 1000 });
    expect(stuckOf(starting, 36_000, 5_000)).toBeUndefined();
    expect(stuckOf(starting, 36_001, 5_000)).toEqual({
      reason: "start-timeout",
      stuckForMs: 35_001,
      limitMs: 35_000,
      episode: "STARTING@1000/1000",
    });
  });

  it("holds a stop for stuck only past stopTimeoutMs + grace", () => {
    const stopping = timing({ state: "STOPPING", since: 0 });
    expect(stuckOf(stopping, 15_000, 5_000)).toBeUndefined();
    expect(stuckOf(stopping, 15_001, 5_000)).toMatchObject({ reason: "stop-timeout" });
  });

  it("measures silence from the latest heartbeat, or from entering RUNNING", () => {
    const running = timing({ since: 1000, heartbeatTimeoutMs: 3_000 });
    expect(stuckOf(running, 5_000, 1_000)).toBeUndefined();
    expect(stuckOf(running, 5_001, 1_000)).toMatchObject({
      reason: "heartbeat",
      stuckForMs: 4_001,
    });
    const beating = { ...running, lastHeartbeatAt: 4_000 };
    expect(stuckOf(beating, 8_000, 1_000)).toBeUndefined();
    expect(stuckOf(beating, 8_001, 1_000)).toMatchObject({ episode: "RUNNING@1000/4000" });
    // A heartbeat of an earlier instance counts for nothing.
    expect(stuckOf({ ...running, lastHeartbeatAt: 500 }, 5_001, 1_000)).toMatchObject({
      stuckForMs: 4_001,
    });
  });

  it("never holds a RUNNING daemon without heartbeatTimeoutMs, nor a daemon of unknown since", () => {
    expect(stuckOf(timing({}), 10 ** 9, 0)).toBeUndefined();
    expect(stuckOf(timing({ state: "STARTING", since: undefined }), 10 ** 9, 0)).toBeUndefined();
  });

  it("only STARTING, STOPPING and RUNNING can be stuck, and the episode stays while stuck", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...LIFECYCLE_STATES),
        fc.nat(10 ** 6),
        fc.nat(10 ** 6),
        fc.nat(10 ** 6),
        (state, since, after, later) => {
          const daemon = timing({ state, since, heartbeatTimeoutMs: 1_000 });
          const stuck = stuckOf(daemon, since + after, 500);
          if (!["STARTING", "STOPPING", "RUNNING"].includes(state)) {
            expect(stuck).toBeUndefined();
          } else if (stuck) {
            expect(stuck.stuckForMs).toBeGreaterThan(stuck.limitMs);
            expect(stuckOf(daemon, since + after + later, 500)?.episode).toBe(stuck.episode);
          }
        },
      ),
    );
  });
});

describe("lookIsLate", () => {
  it("is late after more than two intervals, or when the clock went back", () => {
    expect(lookIsLate(undefined, 99_999, 5_000)).toBe(false);
    expect(lookIsLate(10_000, 20_000, 5_000)).toBe(false);
    expect(lookIsLate(10_000, 20_001, 5_000)).toBe(true);
    expect(lookIsLate(10_000, 9_999, 5_000)).toBe(true);
  });
});
