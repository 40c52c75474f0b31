/**
 * The data of a daemon's lifecycle actor (machines/daemon-lifecycle.ts): what it is created with,
 * what it remembers, and the events it takes.
 */
import type { DaemonPolicy } from "./daemon-policy.ts";
import type { InstanceReport } from "./instance-protocol.ts";
import type { LifecycleState } from "./lifecycle-states.ts";

export interface LifecycleInput {
  name: string;
  policy: DaemonPolicy;
  /** The clock's current time (the same clock that drives XState's delays). */
  now: () => number;
  /** Uniform random numbers in [0, 1) for backoff jitter; injected for deterministic runs. */
  random?: () => number;
  /** True when the daemon has no dependencies, or all of them are RUNNING already. */
  dependenciesReady: boolean;
  /**
   * True when the daemon requires countable resources (SPEC §6a): each start from PENDING then
   * waits for the supervisor's RESOURCES_GRANTED. Default false.
   */
  needsResources?: boolean;
  /**
   * The counters a previous manager left (machines/restart-record.ts): restarts inside the
   * window still count, the backoff attempt continues. Fresh when absent.
   */
  restored?: { attempt: number; restartTimes: readonly number[] };
}

/**
 * Keep this at 19 top-level fields or fewer. XState copies the context with
 * `Object.assign({}, context, update)` on every `assign`, and V8 turns an object built that way
 * with 20 or more properties into a slow dictionary: each assign then costs ≈ 15 µs instead of
 * ≈ 1 µs, and a start/stop cycle of a daemon ≈ 1.5× as long (BENCHMARKS.md). Group fields instead.
 */
export interface LifecycleContext {
  /**
   * Fixed for the actor's life: the daemon's name (how the provided actors and actions find its
   * instances), and the clock and random source.
   */
  env: {
    name: string;
    now: () => number;
    random: () => number;
    needsResources: boolean;
  };
  policy: DaemonPolicy;
  /**
   * The conditions of PENDING → STARTING besides the start request: every dependency RUNNING,
   * and the resources it requires granted (always true for a daemon that requires none).
   */
  ready: { dependencies: boolean; resources: boolean };
  /**
   * A start was requested and waits: for the dependencies (PENDING), or for the stop in progress
   * to finish (STOPPING).
   */
  startRequested: boolean;
  /** Restart attempt since the counter last reset; drives the backoff. */
  attempt: number;
  /** Times of the counted restarts still inside the intensity window. */
  restartTimes: number[];
  /** Every restart since the manager started, for status. */
  restarts: number;
  backoffMs: number;
  backoffElapsed: boolean;
  /** The previous instance has been stopped (or killed) during RESTARTING. */
  instanceGone: boolean;
  healthFailures: number;
  healthy: boolean | undefined;
  lastError: string | undefined;
  /** Why the daemon took its latest transition. */
  reason: string;
  forced: boolean;
  /** How the latest instance ended, when it exited or crashed. */
  exit: { exitCode: number | null | undefined; signal: string | null | undefined };
  /** When the daemon last entered RUNNING. */
  runningSince: number | undefined;
  /** The state before the current one, for the transition report. */
  previous: LifecycleState;
  /**
   * While FAILED: when the daemon failed, on the clock (before the manager restarted, for one
   * that went back to FAILED), from which its cool-down runs; and whether a stop arrived since,
   * so that the cool-down must not bring it back.
   */
  failure: { at: number | undefined; coolDownCancelled: boolean };
}

export type LifecycleEvent =
  | { type: "START" }
  | { type: "STOP" }
  | { type: "RESTART" }
  | { type: "DEPENDENCIES_READY" }
  | { type: "DEPENDENCY_LOST"; dependency: string }
  /** The supervisor handed it the units it requires (machines/resource-book.ts). */
  | { type: "RESOURCES_GRANTED" }
  | { type: "HEARTBEAT_MISSED" }
  /** `stopTimeoutMs` after a clean exit: what the exited instance left behind is killed. */
  | { type: "LEFTOVERS_DUE" }
  /**
   * The daemon was FAILED when the previous manager stopped (machines/restart-record.ts): it
   * goes back to FAILED, failed `at` then, with that `error`.
   */
  | { type: "RESUME_FAILED"; at: number; error: string | undefined }
  | InstanceReport;

/** The context a lifecycle actor starts with. */
export function initialContext(input: LifecycleInput): LifecycleContext {
  return {
    env: {
      name: input.name,
      now: input.now,
      random: input.random ?? Math.random,
      needsResources: input.needsResources ?? false,
    },
    policy: input.policy,
    ready: { dependencies: input.dependenciesReady, resources: !input.needsResources },
    startRequested: false,
    attempt: input.restored?.attempt ?? 0,
    restartTimes: [...(input.restored?.restartTimes ?? [])],
    restarts: 0,
    backoffMs: 0,
    backoffElapsed: false,
    instanceGone: true,
    healthFailures: 0,
    healthy: undefined,
    lastError: undefined,
    reason: "registered",
    forced: false,
    exit: { exitCode: undefined, signal: undefined },
    runningSince: undefined,
    previous: "PENDING",
    failure: { at: undefined, coolDownCancelled: false },
  };
}

/** The exit code and signal an error carries, when it is the end of a process. */
export function exitOf(error: unknown): LifecycleContext["exit"] | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { exitCode, signal } = error as { exitCode?: unknown; signal?: unknown };
  if (typeof exitCode !== "number" && typeof signal !== "string") return undefined;
  return {
    exitCode: typeof exitCode === "number" ? exitCode : null,
    signal: typeof signal === "string" ? signal : null,
  };
}
