/**
 * The same seed and inputs give the same run, event for event, also twice in one process (the
 * e2e test does it across two); another seed gives another; a replayed log that differs is
 * caught at its first differing line.
 */
import { describe, expect, it } from "vitest";
import { pacer } from "../../../runtime/simulate/inspect-server.ts";
import { simulateRun } from "./simulate-harness.ts";

const STORM =
  "crash=0.5,hang=0.1,slow-start=0.1,health=0.2,stop-timeout=0.1,dep-loss=0.1,heartbeat=0.1";

describe("warden simulate: determinism", () => {
  it("repeats a run byte for byte in one process, and tells seeds apart", async () => {
    const first = await simulateRun({ seed: 77, duration: "2h", faults: STORM, keepLog: true });
    const other = await simulateRun({ seed: 78, duration: "2h", faults: STORM });
    const again = await simulateRun({ seed: 77, duration: "2h", faults: STORM, keepLog: true });
    expect(again.log).toEqual(first.log);
    expect(again.digest).toBe(first.digest);
    expect(other.digest).not.toBe(first.digest);
    expect(first.events).toBeGreaterThan(100);
  });

  it("gives the same run paced (--inspect, one event-loop turn per step) as in batches", async () => {
    const batched = await simulateRun({ seed: 31, duration: "2h", faults: STORM });
    const paced = await simulateRun({ seed: 31, duration: "2h", faults: STORM, pace: pacer(1e9) });
    expect(paced.digest).toBe(batched.digest);
    expect(paced.steps).toBe(batched.steps);
  });

  it("compares a replay with its log and names the first line that differs", async () => {
    const made = await simulateRun({ seed: 5, duration: "1h", faults: STORM, keepLog: true });
    const log = made.log!;
    const same = await simulateRun({ seed: 5, duration: "1h", faults: STORM, expected: log });
    expect(same.difference).toBeUndefined();
    const edited = [...log];
    edited[40] = edited[40]!.replace('"warden"', '"someone"');
    const changed = await simulateRun({ seed: 5, duration: "1h", faults: STORM, expected: edited });
    expect(changed.difference).toEqual({ line: 41, expected: edited[40], actual: log[40] });
    const longer = await simulateRun({
      seed: 5,
      duration: "1h",
      faults: STORM,
      expected: [...log, log[1]!],
    });
    expect(longer.difference).toEqual({
      line: log.length + 1,
      expected: log[1],
      actual: undefined,
    });
  });
});
