/**
 * What `warden up --supervised` does when its manager process ends (SPEC §8,
 * docs/decisions/0009-supervised-manager.md), as a pure function of the exit, the restarts so
 * far and the time: a manager that dies is restarted with the daemons' backoff, a crash loop
 * (more than `maxRestarts` restarts within `withinMs`) is given up on, and a clean exit, a bad
 * configuration or an ordered stop the supervisor passed on is never restarted.
 */
import { backoffDelay } from "./backoff.ts";
import type { BackoffPolicy } from "./daemon-policy.ts";
import { DEFAULTS } from "./defaults.ts";
import { intensityExceeded, restartsWithin } from "./restart-window.ts";

/** How a supervised manager is restarted: the daemons' own defaults (SPEC §2) unless tuned. */
export interface ManagerRestartLimits {
  backoff: BackoffPolicy;
  /** A manager that ran this long before it died restarts from the first backoff step again. */
  resetAfterMs: number;
  /** More restarts than this within `withinMs` and the supervisor gives up. */
  maxRestarts: number;
  withinMs: number;
}

/** The daemons' backoff and intensity defaults (DEFAULTS.daemon): 500 ms doubling to 30 s, 5 in 60 s. */
export const MANAGER_RESTART_LIMITS: ManagerRestartLimits = {
  backoff: { ...DEFAULTS.daemon.backoff },
  resetAfterMs: DEFAULTS.daemon.resetAfterMs,
  maxRestarts: DEFAULTS.daemon.maxRestarts,
  withinMs: DEFAULTS.daemon.withinMs,
};

/** How a manager process ended: an exit code, or the signal that killed it. */
export interface ManagerExit {
  code: number | null;
  signal: string | null;
}

/** What the supervisor remembers between deaths. */
export interface ManagerRestartState {
  /** Restarts since the counter last reset; drives the backoff. */
  attempt: number;
  /** When each restart within the window was decided (ms). */
  restartTimes: readonly number[];
}

export const FIRST_RUN: ManagerRestartState = { attempt: 0, restartTimes: [] };

/** The exit code of `warden up` (and of the supervisor) after an ordered stop by `signal`. */
export function exitCodeOfStop(signal: string): number {
  if (signal === "SIGQUIT") return 128 + 3;
  if (signal === "SIGABRT") return 128 + 6;
  return 0;
}

/** The exit code of a bad usage or configuration (SPEC §8): it would fail the same way again. */
export const CONFIGURATION_EXIT_CODE = 2;

export type ManagerExitVerdict =
  | {
      action: "exit";
      /** The supervisor's own exit code. */
      code: number;
      /**
       * `stopped`: the supervisor passed on a stop signal; `clean`: the manager exited 0 on its
       * own; `configuration`: it exited 2; `gave-up`: one more restart would exceed the limit.
       */
      reason: "stopped" | "clean" | "configuration" | "gave-up";
    }
  | {
      action: "restart";
      delayMs: number;
      /** This restart's number within the window (1 for the first). */
      restart: number;
      state: ManagerRestartState;
    };

export interface ManagerExitFacts {
  exit: ManagerExit;
  state: ManagerRestartState;
  /** When the manager's end was seen (ms). */
  now: number;
  /** How long that manager ran (ms). */
  ranForMs: number;
  /** The stop signal the supervisor passed on to it, if any. */
  stopping?: string;
  limits: ManagerRestartLimits;
  /** Uniform in [0, 1): the backoff's jitter. */
  random: () => number;
}

/**
 * What to do now that the manager has ended.
 *
 * @example
 * judgeManagerExit({
 *   exit: { code: null, signal: "SIGKILL" }, state: FIRST_RUN, now: 1000, ranForMs: 900,
 *   limits: MANAGER_RESTART_LIMITS, random: () => 0.5,
 * }); // { action: "restart", delayMs: 250, restart: 1, state: { attempt: 1, restartTimes: [1000] } }
 */
export function judgeManagerExit(facts: ManagerExitFacts): ManagerExitVerdict {
  const { exit, state, now, limits } = facts;
  if (facts.stopping !== undefined) {
    // Its own exit code; killed by the very signal before it could handle it: nothing ran yet.
    const code = exit.code ?? (exit.signal === facts.stopping ? exitCodeOfStop(facts.stopping) : 1);
    return { action: "exit", code, reason: "stopped" };
  }
  if (exit.code === 0) return { action: "exit", code: 0, reason: "clean" };
  if (exit.code === CONFIGURATION_EXIT_CODE) {
    return { action: "exit", code: CONFIGURATION_EXIT_CODE, reason: "configuration" };
  }
  if (intensityExceeded(state.restartTimes, now, limits.maxRestarts, limits.withinMs)) {
    return { action: "exit", code: 1, reason: "gave-up" };
  }
  const attempt = (facts.ranForMs >= limits.resetAfterMs ? 0 : state.attempt) + 1;
  const restartTimes = [...restartsWithin(state.restartTimes, now, limits.withinMs), now];
  return {
    action: "restart",
    delayMs: backoffDelay(attempt, limits.backoff, facts.random),
    restart: restartTimes.length,
    state: { attempt, restartTimes },
  };
}

/**
 * How a manager ended, for people: `exit code 1`, `signal SIGKILL`.
 *
 * @example
 * describeManagerExit({ code: null, signal: "SIGKILL" }); // "signal SIGKILL"
 */
export function describeManagerExit(exit: ManagerExit): string {
  return exit.signal !== null ? `signal ${exit.signal}` : `exit code ${exit.code ?? "unknown"}`;
}

/**
 * A window or delay for people: whole seconds as `60 s`, anything else in milliseconds.
 *
 * @example
 * formatSpan(60_000); // "60 s"
 * formatSpan(1500); // "1500 ms"
 */
export function formatSpan(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
