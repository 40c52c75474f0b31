/**
 * The lifecycle statechart of one daemon (SPEC §2): exactly seven states, every transition
 * explicit. Timers are XState delays, so a simulated clock drives them in tests; the daemon
 * itself is reached only through the `startInstance`, `stopInstance` and `watchInstance` actor
 * slots, which `runtime/` binds to `actors/` with `.provide()`.
 *
 * Restarts that count against the intensity limit: crashes, failed or timed-out starts, health
 * and heartbeat failures, clean exits under `always`. Restarts that do not: manual ones and
 * those caused by a dependency leaving RUNNING (OTP's rest_for_one).
 */
import {
  and,
  assign,
  cancel,
  enqueueActions,
  fromCallback,
  fromPromise,
  raise,
  setup,
} from "xstate";
import { backoffDelay } from "./backoff.ts";
import type { DaemonDriver, DriverReport } from "./daemon-driver.ts";
import type { DaemonPolicy } from "./daemon-policy.ts";
import type { LifecycleState } from "./lifecycle-states.ts";
import { intensityExceeded, restartsWithin } from "./restart-window.ts";
import {
  SUPERVISOR_ID,
  type DaemonHealthChange,
  type DaemonTransition,
} from "./supervisor-protocol.ts";

export interface LifecycleInput {
  name: string;
  policy: DaemonPolicy;
  /** How this daemon is started and stopped; absent only when the machine is traversed as a graph. */
  driver?: DaemonDriver;
  /** The clock's current time (the same clock that drives XState's delays). */
  now: () => number;
  /** Uniform random numbers in [0, 1) for backoff jitter; injected for deterministic runs. */
  random?: () => number;
  /** True when the daemon has no dependencies, or all of them are RUNNING already. */
  dependenciesReady: boolean;
}

/**
 * Keep this at 19 top-level fields or fewer. XState copies the context with
 * `Object.assign({}, context, update)` on every `assign`, and V8 turns an object built that way
 * with 20 or more properties into a slow dictionary: each assign then costs ≈ 15 µs instead of
 * ≈ 1 µs, and a start/stop cycle of a daemon ≈ 1.5× as long (BENCHMARKS.md). Group fields instead.
 */
export interface LifecycleContext {
  /** Fixed for the actor's life: the daemon's name, its driver, and the clock and random source. */
  env: {
    name: string;
    driver: DaemonDriver | undefined;
    now: () => number;
    random: () => number;
  };
  policy: DaemonPolicy;
  dependenciesReady: boolean;
  /** A start was requested and waits for the dependencies. */
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
  /** A stop arrived while FAILED: the cool-down must not bring the daemon back. */
  coolDownCancelled: boolean;
}

export type LifecycleEvent =
  | { type: "START" }
  | { type: "STOP" }
  | { type: "RESTART" }
  | { type: "DEPENDENCIES_READY" }
  | { type: "DEPENDENCY_LOST"; dependency: string }
  | { type: "HEARTBEAT_MISSED" }
  | DriverReport;

type RestartReason =
  | "crash"
  | "exit"
  | "start-failed"
  | "start-timeout"
  | "health"
  | "heartbeat"
  | "dependency"
  | "manual";

const UNCOUNTED: ReadonlySet<RestartReason> = new Set(["dependency", "manual"]);

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === "string" ? error : JSON.stringify(error);
}

/** The exit code and signal an error carries, when it is the end of a process. */
function exitOf(error: unknown): LifecycleContext["exit"] | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { exitCode, signal } = error as { exitCode?: unknown; signal?: unknown };
  if (typeof exitCode !== "number" && typeof signal !== "string") return undefined;
  return {
    exitCode: typeof exitCode === "number" ? exitCode : null,
    signal: typeof signal === "string" ? signal : null,
  };
}

/** Restart allowed by policy and intensity: the guard behind every counted restart. */
function restartAllowed(context: LifecycleContext): boolean {
  if (context.policy.restart === "never") return false;
  const { maxRestarts, withinMs } = context.policy;
  return !intensityExceeded(context.restartTimes, context.env.now(), maxRestarts, withinMs);
}

/** Entry actions of a state: report the transition to the supervisor, then remember the state. */
function enter(state: LifecycleState) {
  return { type: "announce", params: { state } } as const;
}

export const daemonLifecycleMachine = setup({
  types: {
    context: {} as LifecycleContext,
    events: {} as LifecycleEvent,
    input: {} as LifecycleInput,
  },
  actors: {
    startInstance: fromPromise<void, { driver: DaemonDriver | undefined }>(async () => {
      throw new Error("startInstance is not provided");
    }),
    stopInstance: fromPromise<void, { driver: DaemonDriver | undefined }>(async () => {
      throw new Error("stopInstance is not provided");
    }),
    watchInstance: fromCallback<LifecycleEvent, { driver: DaemonDriver | undefined }>(() => {
      throw new Error("watchInstance is not provided");
    }),
  },
  actions: {
    announce: enqueueActions(
      ({ context, system, enqueue }, { state }: { state: LifecycleState }) => {
        const supervisor = system.get(SUPERVISOR_ID);
        if (supervisor) {
          const transition: DaemonTransition = {
            type: "DAEMON.TRANSITION",
            name: context.env.name,
            state,
            from: context.previous,
            reason: context.reason,
            error: context.lastError,
            attempt: context.attempt,
            delayMs: context.backoffMs,
            forced: context.forced,
            exitCode: context.exit.exitCode,
            signal: context.exit.signal,
          };
          enqueue.sendTo(supervisor, transition);
        }
        enqueue.assign({ previous: state });
      },
    ),
    announceHealth: enqueueActions(({ context, system, enqueue }) => {
      const supervisor = system.get(SUPERVISOR_ID);
      if (!supervisor || context.healthy === undefined) return;
      const change: DaemonHealthChange = {
        type: "DAEMON.HEALTH",
        name: context.env.name,
        healthy: context.healthy,
        // lastError still holds the previous failure when the daemon turns healthy again.
        detail: context.healthy ? undefined : context.lastError,
      };
      enqueue.sendTo(supervisor, change);
    }),
    killInstance: ({ context }) => context.env.driver?.kill(),
    /** Books a restart: reason, error, and for counted restarts the window and the backoff. */
    bookRestart: assign(
      ({ context }, { reason, error }: { reason: RestartReason; error?: string }) => {
        if (UNCOUNTED.has(reason)) return { reason, backoffMs: 0 };
        const now = context.env.now();
        const attempt = context.attempt + 1;
        return {
          reason,
          lastError: error ?? context.lastError,
          attempt,
          restartTimes: [
            ...restartsWithin(context.restartTimes, now, context.policy.withinMs),
            now,
          ],
          backoffMs: backoffDelay(attempt, context.policy.backoff, context.env.random),
        };
      },
    ),
    /** The restart policy or the intensity limit said no: the reason names which. */
    giveUp: assign(({ context }, { error }: { error?: string }) => ({
      reason: context.policy.restart === "never" ? "policy" : "intensity",
      lastError: error ?? context.lastError,
    })),
    /** A failed start or stop; a process that exited before it was ready also leaves its exit. */
    noteError: assign(({ event }) => {
      const error = (event as { error?: unknown }).error;
      const exit = exitOf(error);
      return exit ? { lastError: errorText(error), exit } : { lastError: errorText(error) };
    }),
    noteExit: assign(({ event }) =>
      event.type === "CRASHED" || event.type === "EXITED"
        ? {
            exit: { exitCode: event.exitCode, signal: event.signal },
            lastError: event.type === "CRASHED" ? event.error : undefined,
          }
        : {},
    ),
    requestStart: assign({
      coolDownCancelled: false,
      attempt: 0,
      restartTimes: (): number[] => [],
      startRequested: true,
      reason: "start",
    }),
    scheduleHeartbeatCheck: enqueueActions(({ context, enqueue }) => {
      enqueue(cancel("heartbeat"));
      if (context.policy.heartbeatTimeoutMs !== undefined) {
        enqueue(
          raise({ type: "HEARTBEAT_MISSED" }, { delay: "heartbeatTimeout", id: "heartbeat" }),
        );
      }
    }),
  },
  guards: {
    dependenciesReady: ({ context }) => context.dependenciesReady,
    startRequested: ({ context }) => context.startRequested,
    restartAllowed: ({ context }) => restartAllowed(context),
    cleanExitStops: ({ context }) => context.policy.restart !== "always",
    restartsWithDependency: ({ context }) => context.policy.restart !== "never",
    healthThresholdReached: ({ context, event }) =>
      event.type === "HEALTH_RESULT" &&
      !event.healthy &&
      context.healthFailures + 1 >= context.policy.health.failureThreshold,
    restartDue: ({ context }) =>
      context.instanceGone && context.backoffElapsed && context.dependenciesReady,
    coolDownEnabled: ({ context }) =>
      context.policy.retryFailedAfterMs !== undefined && !context.coolDownCancelled,
  },
  delays: {
    startTimeout: ({ context }) => context.policy.startTimeoutMs,
    stopTimeout: ({ context }) => context.policy.stopTimeoutMs,
    backoff: ({ context }) => context.backoffMs,
    resetAfter: ({ context }) => context.policy.resetAfterMs,
    heartbeatTimeout: ({ context }) => context.policy.heartbeatTimeoutMs ?? 0,
    retryFailedAfter: ({ context }) => context.policy.retryFailedAfterMs ?? 0,
  },
}).createMachine({
  id: "lifecycle",
  initial: "PENDING",
  context: ({ input }) => ({
    env: {
      name: input.name,
      driver: input.driver,
      now: input.now,
      random: input.random ?? Math.random,
    },
    policy: input.policy,
    dependenciesReady: input.dependenciesReady,
    startRequested: false,
    attempt: 0,
    restartTimes: [],
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
    coolDownCancelled: false,
  }),
  on: {
    DEPENDENCIES_READY: { actions: assign({ dependenciesReady: true }) },
    DEPENDENCY_LOST: { actions: assign({ dependenciesReady: false }) },
  },
  states: {
    PENDING: {
      entry: enter("PENDING"),
      always: {
        guard: and(["startRequested", "dependenciesReady"]),
        target: "STARTING",
      },
      on: {
        START: { actions: assign({ startRequested: true, reason: "start" }) },
        STOP: { target: "STOPPED", actions: assign({ reason: "stop" }) },
      },
    },
    STARTING: {
      entry: [
        assign({
          startRequested: false,
          forced: false,
          healthy: undefined,
          exit: { exitCode: undefined, signal: undefined },
        }),
        enter("STARTING"),
      ],
      invoke: {
        src: "startInstance",
        input: ({ context }) => ({ driver: context.env.driver }),
        onDone: { target: "RUNNING", actions: assign({ reason: "ready" }) },
        onError: [
          {
            guard: "restartAllowed",
            target: "RESTARTING",
            actions: ["noteError", { type: "bookRestart", params: { reason: "start-failed" } }],
          },
          { target: "FAILED", actions: ["noteError", { type: "giveUp", params: {} }] },
        ],
      },
      after: {
        startTimeout: [
          {
            guard: "restartAllowed",
            target: "RESTARTING",
            actions: {
              type: "bookRestart",
              params: { reason: "start-timeout", error: "start timed out" },
            },
          },
          { target: "FAILED", actions: { type: "giveUp", params: { error: "start timed out" } } },
        ],
      },
      on: {
        STOP: { target: "STOPPING", actions: assign({ reason: "stop" }) },
        DEPENDENCY_LOST: {
          target: "RESTARTING",
          actions: [
            assign({ dependenciesReady: false }),
            { type: "bookRestart", params: { reason: "dependency" } },
          ],
        },
      },
    },
    RUNNING: {
      entry: [
        assign(({ context }) => ({ runningSince: context.env.now(), healthFailures: 0 })),
        enter("RUNNING"),
        "scheduleHeartbeatCheck",
      ],
      exit: [cancel("heartbeat"), assign({ runningSince: undefined })],
      invoke: {
        src: "watchInstance",
        input: ({ context }) => ({ driver: context.env.driver }),
      },
      after: {
        resetAfter: { actions: assign({ attempt: 0 }) },
      },
      on: {
        STOP: { target: "STOPPING", actions: assign({ reason: "stop" }) },
        RESTART: {
          target: "RESTARTING",
          actions: { type: "bookRestart", params: { reason: "manual" } },
        },
        CRASHED: [
          {
            guard: "restartAllowed",
            target: "RESTARTING",
            actions: ["noteExit", { type: "bookRestart", params: { reason: "crash" } }],
          },
          { target: "FAILED", actions: ["noteExit", { type: "giveUp", params: {} }] },
        ],
        EXITED: [
          {
            guard: "cleanExitStops",
            target: "STOPPED",
            actions: ["noteExit", assign({ reason: "exit" })],
          },
          {
            guard: "restartAllowed",
            target: "RESTARTING",
            actions: ["noteExit", { type: "bookRestart", params: { reason: "exit" } }],
          },
          {
            target: "FAILED",
            actions: ["noteExit", { type: "giveUp", params: { error: "exited" } }],
          },
        ],
        HEALTH_RESULT: [
          {
            guard: and(["healthThresholdReached", "restartAllowed"]),
            target: "RESTARTING",
            actions: {
              type: "bookRestart",
              params: { reason: "health", error: "health check failed" },
            },
          },
          {
            guard: "healthThresholdReached",
            target: "FAILED",
            actions: { type: "giveUp", params: { error: "health check failed" } },
          },
          {
            actions: enqueueActions(({ context, event, enqueue }) => {
              if (event.type !== "HEALTH_RESULT") return;
              const changed = context.healthy !== event.healthy;
              enqueue.assign({
                healthFailures: event.healthy ? 0 : context.healthFailures + 1,
                healthy: event.healthy,
                lastError: event.healthy ? context.lastError : (event.detail ?? "unhealthy"),
              });
              // Only a change of health is news.
              if (changed) enqueue("announceHealth");
            }),
          },
        ],
        HEARTBEAT: { actions: "scheduleHeartbeatCheck" },
        HEARTBEAT_MISSED: [
          {
            guard: "restartAllowed",
            target: "RESTARTING",
            actions: {
              type: "bookRestart",
              params: { reason: "heartbeat", error: "no heartbeat" },
            },
          },
          { target: "FAILED", actions: { type: "giveUp", params: { error: "no heartbeat" } } },
        ],
        DEPENDENCY_LOST: [
          {
            guard: "restartsWithDependency",
            target: "RESTARTING",
            actions: [
              assign({ dependenciesReady: false }),
              { type: "bookRestart", params: { reason: "dependency" } },
            ],
          },
          {
            target: "STOPPING",
            actions: assign({ dependenciesReady: false, reason: "dependency" }),
          },
        ],
      },
    },
    STOPPING: {
      entry: enter("STOPPING"),
      invoke: {
        src: "stopInstance",
        input: ({ context }) => ({ driver: context.env.driver }),
        onDone: { target: "STOPPED" },
        onError: { target: "STOPPED", actions: ["noteError", "killInstance"] },
      },
      after: {
        stopTimeout: { target: "STOPPED", actions: [assign({ forced: true }), "killInstance"] },
      },
    },
    STOPPED: {
      entry: [assign({ startRequested: false, healthy: undefined }), enter("STOPPED")],
      on: {
        START: { target: "PENDING", actions: "requestStart" },
        RESTART: { target: "PENDING", actions: "requestStart" },
      },
    },
    FAILED: {
      entry: ["killInstance", assign({ startRequested: false }), enter("FAILED")],
      after: {
        retryFailedAfter: {
          guard: "coolDownEnabled",
          target: "PENDING",
          actions: ["requestStart", assign({ reason: "cool-down" })],
        },
      },
      on: {
        START: { target: "PENDING", actions: "requestStart" },
        RESTART: { target: "PENDING", actions: "requestStart" },
        // A failed daemon that is told to stop stays FAILED (the failure stays visible) but
        // loses its cool-down, so a shutdown is not undone by a retry.
        STOP: { actions: assign({ coolDownCancelled: true }) },
      },
    },
    RESTARTING: {
      entry: [
        assign(({ context }) => ({
          restarts: context.restarts + 1,
          backoffElapsed: false,
          instanceGone: false,
          healthy: undefined,
        })),
        enter("RESTARTING"),
      ],
      invoke: {
        src: "stopInstance",
        input: ({ context }) => ({ driver: context.env.driver }),
        onDone: { actions: assign({ instanceGone: true }) },
        onError: { actions: ["killInstance", assign({ instanceGone: true })] },
      },
      after: {
        backoff: { actions: assign({ backoffElapsed: true }) },
        stopTimeout: { actions: ["killInstance", assign({ instanceGone: true, forced: true })] },
      },
      always: { guard: "restartDue", target: "STARTING", actions: assign({ reason: "restart" }) },
      on: {
        STOP: { target: "STOPPED", actions: ["killInstance", assign({ reason: "stop" })] },
      },
    },
  },
});

export type DaemonLifecycleMachine = typeof daemonLifecycleMachine;
