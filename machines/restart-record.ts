/**
 * What warden remembers of a daemon's restarts across a manager restart (SPEC §2, §13): the
 * counted restarts inside the intensity window, the backoff attempt, and whether it is FAILED,
 * since when and why. Pure: the manager writes these records to `<stateDir>/restart-state.json`
 * (runtime/state/restart-state-file.ts) and hands them back to each daemon's lifecycle actor when
 * it supervises that daemon again, so that restarting the manager does not reset a crash loop.
 * warden's own records, not XState's persisted snapshots (xstate issues 5057, 5077).
 */
import type { DaemonPolicy } from "./daemon-policy.ts";
import type { LifecycleContext } from "./lifecycle-context.ts";
import type { LifecycleState } from "./lifecycle-states.ts";
import { restartsWithin } from "./restart-window.ts";

/** A FAILED daemon: when it failed (ms on the manager's clock) and why. */
export interface FailedRecord {
  at: number;
  /** The reason it gave up: `intensity` or `policy`. */
  reason: string;
  error?: string;
}

/** One daemon's restart state; times are milliseconds on the manager's clock (wall clock). */
export interface RestartRecord {
  /** The backoff attempt: restarts since the counter last reset. */
  attempt: number;
  /** Counted restarts inside the intensity window, oldest first. */
  restartTimes: number[];
  failed?: FailedRecord;
}

/**
 * How a daemon is handed back to the supervisor: the counters its lifecycle actor starts with,
 * and, when it stays FAILED, the failure it goes back to (the chart's RESUME_FAILED).
 */
export interface Resumption {
  attempt: number;
  restartTimes: number[];
  failed?: FailedRecord;
}

/** The transition reason of a daemon that goes back to FAILED when it is supervised again. */
export const FAILED_BEFORE_RESTART = "failed-before-restart";

/** A daemon that starts as if no manager had run it before. */
const fresh = (): Resumption => ({ attempt: 0, restartTimes: [] });

/**
 * Where a daemon with `record` resumes at `now` under `policy`. Restarts still inside
 * `withinMs` count against the intensity limit and the attempt continues. A FAILED daemon stays
 * FAILED, unless it is started by name (`explicitStart`) or its `retryFailedAfterMs` cool-down
 * (measured from when it failed) has elapsed: then it starts with a reset counter, as
 * FAILED --START / after(retryFailedAfter)--> PENDING would have done. A critical daemon is
 * never resumed FAILED: its failure escalated, and the manager restart that escalation asks for
 * is its retry (SPEC §2) — with its window kept, so one more counted failure fails it again.
 *
 * @example
 * resumption({ attempt: 3, restartTimes: [1_000, 50_000] }, policy, 70_000);
 * // { attempt: 3, restartTimes: [50_000] } with withinMs = 60_000
 */
export function resumption(
  record: RestartRecord | undefined,
  policy: DaemonPolicy,
  now: number,
  explicitStart = false,
): Resumption {
  if (record === undefined) return fresh();
  const { failed } = record;
  if (failed && (explicitStart || coolDownElapsed(failed, policy, now))) return fresh();
  const resumed: Resumption = {
    attempt: record.attempt,
    restartTimes: windowOf(record.restartTimes, policy, now),
  };
  if (failed && !policy.critical) resumed.failed = { ...failed, at: Math.min(failed.at, now) };
  return resumed;
}

/** True when a FAILED daemon's cool-down is over (never, without one). */
function coolDownElapsed(failed: FailedRecord, policy: DaemonPolicy, now: number): boolean {
  const coolDown = policy.retryFailedAfterMs;
  return coolDown !== undefined && now - failed.at >= coolDown;
}

/**
 * The restart times that still count at `now`: inside the window, none from the future (a clock
 * set back must not make a restart count for ever), at most `maxRestarts + 1`.
 */
function windowOf(times: readonly number[], policy: DaemonPolicy, now: number): number[] {
  const inside = restartsWithin(times, now, policy.withinMs).filter((time) => time <= now);
  return inside.slice(-(policy.maxRestarts + 1));
}

/**
 * The record a lifecycle actor's context amounts to in `state`, or undefined when there is
 * nothing to remember (no restart in the window, attempt 0, not FAILED). `previous` is the
 * record written before: a daemon still FAILED from before the manager restarted keeps the
 * reason it failed for.
 *
 * @example
 * recordOf("FAILED", context, now, undefined); // { attempt: 5, restartTimes: [...], failed: { at, reason: "intensity", error } }
 */
export function recordOf(
  state: LifecycleState,
  context: LifecycleContext,
  now: number,
  previous: RestartRecord | undefined,
): RestartRecord | undefined {
  const failedAt = state === "FAILED" ? context.failure.at : undefined;
  if (context.attempt === 0 && context.restartTimes.length === 0 && failedAt === undefined) {
    return undefined;
  }
  const restartTimes = windowOf(context.restartTimes, context.policy, now);
  if (context.attempt === 0 && restartTimes.length === 0 && failedAt === undefined) {
    return undefined;
  }
  const record: RestartRecord = { attempt: context.attempt, restartTimes };
  if (failedAt === undefined) return record;
  if (previous?.failed?.at === failedAt) {
    record.failed = previous.failed;
    return record;
  }
  record.failed = { at: failedAt, reason: context.reason };
  if (context.lastError !== undefined) record.failed.error = context.lastError;
  return record;
}

/**
 * Whether two records say the same; the manager writes the file only when one changed.
 *
 * @example
 * sameRecord({ attempt: 1, restartTimes: [5] }, { attempt: 1, restartTimes: [5] }); // true
 */
export function sameRecord(a: RestartRecord | undefined, b: RestartRecord | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.attempt === b.attempt &&
    a.restartTimes.length === b.restartTimes.length &&
    a.restartTimes.every((time, i) => time === b.restartTimes[i]) &&
    a.failed?.at === b.failed?.at &&
    a.failed?.reason === b.failed?.reason &&
    a.failed?.error === b.failed?.error
  );
}
