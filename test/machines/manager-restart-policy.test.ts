import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffCap } from "../../machines/backoff.ts";
import {
  FIRST_RUN,
  MANAGER_RESTART_LIMITS,
  describeManagerExit,
  exitCodeOfStop,
  formatSpan,
  judgeManagerExit,
  type ManagerExit,
  type ManagerExitFacts,
  type ManagerExitVerdict,
  type ManagerRestartState,
} from "../../machines/manager-restart-policy.ts";

const KILLED: ManagerExit = { code: null, signal: "SIGKILL" };
const FAILED: ManagerExit = { code: 1, signal: null };

/** The verdict on `exit` with the real defaults, unless `facts` says otherwise. */
function judge(facts: Partial<ManagerExitFacts> & { exit: ManagerExit }): ManagerExitVerdict {
  return judgeManagerExit({
    state: FIRST_RUN,
    now: 0,
    ranForMs: 1000,
    limits: MANAGER_RESTART_LIMITS,
    random: () => 0.5,
    ...facts,
  });
}

/**
 * A manager that dies `ranForMs` after each start, restarted as the verdicts say, on a fake
 * clock: the verdicts until the first that is not a restart (or `max` of them).
 */
function crashLoop(ranForMs: (run: number) => number, max = 100): ManagerExitVerdict[] {
  const verdicts: ManagerExitVerdict[] = [];
  let state: ManagerRestartState = FIRST_RUN;
  let now = 0;
  for (let run = 0; run < max; run++) {
    const ran = ranForMs(run);
    now += ran;
    const verdict = judge({ exit: KILLED, state, now, ranForMs: ran, random: () => 0.999 });
    verdicts.push(verdict);
    if (verdict.action !== "restart") break;
    state = verdict.state;
    now += verdict.delayMs;
  }
  return verdicts;
}

describe("judgeManagerExit", () => {
  it("uses the daemons' defaults: backoff 500 ms doubling to 30 s, more than 5 restarts within 60 s", () => {
    expect(MANAGER_RESTART_LIMITS).toEqual({
      backoff: { initialMs: 500, maxMs: 30_000, factor: 2 },
      resetAfterMs: 60_000,
      maxRestarts: 5,
      withinMs: 60_000,
    });
  });

  it("restarts a manager killed by a signal or exiting non-zero, with jittered backoff", () => {
    expect(judge({ exit: KILLED, now: 1000 })).toEqual({
      action: "restart",
      delayMs: 250,
      restart: 1,
      state: { attempt: 1, restartTimes: [1000] },
    });
    expect(judge({ exit: FAILED, random: () => 0 })).toMatchObject({
      action: "restart",
      delayMs: 0,
    });
    expect(judge({ exit: { code: 134, signal: null } }).action).toBe("restart");
  });

  it("gives up (exit 1) on the 6th death within 60 s: 5 restarts are allowed, not a 6th", () => {
    const verdicts = crashLoop(() => 100);
    expect(verdicts.map((v) => v.action)).toEqual([...Array(5).fill("restart"), "exit"]);
    expect(verdicts.slice(0, 5).map((v) => (v.action === "restart" ? v.restart : 0))).toEqual([
      1, 2, 3, 4, 5,
    ]);
    expect(verdicts.at(-1)).toEqual({ action: "exit", code: 1, reason: "gave-up" });
  });

  it("waits longer at each restart, up to the cap (500, 1000, 2000, 4000, 8000 ms at most)", () => {
    const delays = crashLoop(() => 100).flatMap((v) => (v.action === "restart" ? [v.delayMs] : []));
    expect(delays).toEqual([499, 999, 1998, 3996, 7992]);
  });

  it("never gives up on a manager that dies less often than the limit", () => {
    // 13 s apart: never more than 5 restarts within a 60 s window.
    const verdicts = crashLoop(() => 13_000, 50);
    expect(verdicts).toHaveLength(50);
    expect(verdicts.every((v) => v.action === "restart")).toBe(true);
  });

  it("forgets restarts older than the window", () => {
    const state = { attempt: 5, restartTimes: [0, 1, 2, 3, 4] };
    expect(judge({ exit: KILLED, state, now: 59_999, ranForMs: 10 }).action).toBe("exit");
    const later = judge({ exit: KILLED, state, now: 60_003, ranForMs: 10 });
    expect(later).toMatchObject({ action: "restart", restart: 2 });
    expect(later.action === "restart" && later.state.restartTimes).toEqual([4, 60_003]);
  });

  it("starts the backoff over for a manager that ran for resetAfterMs", () => {
    const state = { attempt: 4, restartTimes: [] };
    const short = judge({ exit: KILLED, state, ranForMs: 59_999, random: () => 0.999 });
    const long = judge({ exit: KILLED, state, ranForMs: 60_000, random: () => 0.999 });
    expect(short).toMatchObject({ delayMs: Math.floor(0.999 * 8000), state: { attempt: 5 } });
    expect(long).toMatchObject({ delayMs: Math.floor(0.999 * 500), state: { attempt: 1 } });
  });

  it("does not restart a clean exit 0", () => {
    expect(judge({ exit: { code: 0, signal: null } })).toEqual({
      action: "exit",
      code: 0,
      reason: "clean",
    });
  });

  it("does not retry a bad configuration (exit 2): it exits 2 at once, whatever the count", () => {
    expect(judge({ exit: { code: 2, signal: null } })).toEqual({
      action: "exit",
      code: 2,
      reason: "configuration",
    });
  });

  it("after a stop signal was passed on, exits with the manager's exit code and never restarts", () => {
    const stopped = (exit: ManagerExit, stopping: string) => judge({ exit, stopping });
    expect(stopped({ code: 0, signal: null }, "SIGTERM")).toEqual({
      action: "exit",
      code: 0,
      reason: "stopped",
    });
    expect(stopped({ code: 131, signal: null }, "SIGQUIT")).toMatchObject({ code: 131 });
    // The stop took too long: the manager killed what was left and exited 1.
    expect(stopped({ code: 1, signal: null }, "SIGTERM")).toMatchObject({ code: 1 });
    // Killed by the signal itself before it could handle it (still loading): nothing ran.
    expect(stopped({ code: null, signal: "SIGTERM" }, "SIGTERM")).toMatchObject({ code: 0 });
    expect(stopped({ code: null, signal: "SIGINT" }, "SIGINT")).toMatchObject({ code: 0 });
    expect(stopped({ code: null, signal: "SIGQUIT" }, "SIGQUIT")).toMatchObject({ code: 131 });
    // Killed by something else meanwhile.
    expect(stopped({ code: null, signal: "SIGKILL" }, "SIGTERM")).toMatchObject({ code: 1 });
  });

  it("never restarts more than maxRestarts times within any window (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 30_000 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 8 }),
        (runs, maxRestarts) => {
          const limits = { ...MANAGER_RESTART_LIMITS, maxRestarts };
          let state: ManagerRestartState = FIRST_RUN;
          let now = 0;
          const restarts: number[] = [];
          for (const ran of runs) {
            now += ran;
            const verdict = judgeManagerExit({
              exit: KILLED,
              state,
              now,
              ranForMs: ran,
              limits,
              random: () => 0.5,
            });
            if (verdict.action !== "restart") return;
            restarts.push(now);
            expect(restarts.filter((t) => now - t < limits.withinMs).length).toBe(verdict.restart);
            expect(verdict.restart).toBeLessThanOrEqual(maxRestarts);
            expect(verdict.delayMs).toBeLessThan(
              Math.max(1, backoffCap(verdict.state.attempt, limits.backoff)),
            );
            state = verdict.state;
            now += verdict.delayMs;
          }
        },
      ),
    );
  });
});

describe("how a manager's end is told", () => {
  it("names the signal or the exit code", () => {
    expect(describeManagerExit(KILLED)).toBe("signal SIGKILL");
    expect(describeManagerExit(FAILED)).toBe("exit code 1");
  });

  it("shows whole seconds as seconds", () => {
    expect(formatSpan(60_000)).toBe("60 s");
    expect(formatSpan(1500)).toBe("1500 ms");
  });

  it("gives `warden up`'s exit codes of an ordered stop", () => {
    expect(exitCodeOfStop("SIGTERM")).toBe(0);
    expect(exitCodeOfStop("SIGINT")).toBe(0);
    expect(exitCodeOfStop("SIGQUIT")).toBe(131);
    expect(exitCodeOfStop("SIGABRT")).toBe(134);
  });
});
