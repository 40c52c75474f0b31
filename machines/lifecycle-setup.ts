/**
 * The implementations the lifecycle chart (machines/daemon-lifecycle.ts) names: its actor and
 * action slots for the daemon's instances, the announcements to the supervisor, the bookkeeping
 * of restarts, its guards and its delays. Pure: time comes from the injected `now` and XState's
 * clock.
 *
 * The instance slots (`startInstance`, `stopInstance`, `watchInstance`, `killInstance`) have
 * placeholders here; runtime/ provides real ones (actors/lifecycle-actors.ts) with `.provide()`.
 */
import { messageOf } from "./errors.ts";
import { assign, cancel, enqueueActions, fromCallback, fromPromise, raise, setup } from "xstate";
import { backoffDelay } from "./backoff.ts";
import type { InstanceInput } from "./instance-protocol.ts";
import {
  exitOf,
  type LifecycleContext,
  type LifecycleEvent,
  type LifecycleInput,
} from "./lifecycle-context.ts";
import type { LifecycleState } from "./lifecycle-states.ts";
import { isCountedRestart, type RestartReason } from "./restart-reason.ts";
import { FAILED_BEFORE_RESTART } from "./restart-record.ts";
import { intensityExceeded, restartsWithin } from "./restart-window.ts";
import {
  SUPERVISOR_ID,
  type DaemonHealthChange,
  type DaemonResourcesWanted,
  type DaemonTransition,
} from "./supervisor-protocol.ts";

/** Restart allowed by policy and intensity: the guard behind every counted restart. */
function restartAllowed(context: LifecycleContext): boolean {
  if (context.policy.restart === "never") return false;
  const { maxRestarts, withinMs } = context.policy;
  return !intensityExceeded(context.restartTimes, context.env.now(), maxRestarts, withinMs);
}

/** What is left of the cool-down of a FAILED daemon: `retryFailedAfterMs` from when it failed. */
function coolDownLeft(context: LifecycleContext): number {
  const coolDown = context.policy.retryFailedAfterMs ?? 0;
  const { at } = context.failure;
  return at === undefined ? coolDown : Math.max(0, coolDown - (context.env.now() - at));
}

export const lifecycleSetup = setup({
  types: {
    context: {} as LifecycleContext,
    events: {} as LifecycleEvent,
    input: {} as LifecycleInput,
  },
  actors: {
    /** Starts a new instance; resolves once it is ready. Stopped (aborted) when STARTING ends. */
    startInstance: fromPromise<void, InstanceInput>(async () => {
      throw new Error("startInstance is not provided");
    }),
    /** Stops the current instance; resolves once it is gone. Its deadline is the chart's. */
    stopInstance: fromPromise<void, InstanceInput>(async () => {
      throw new Error("stopInstance is not provided");
    }),
    /** Sends back what the running instance reports (InstanceReport), from its start on. */
    watchInstance: fromCallback<LifecycleEvent, InstanceInput>(() => {
      throw new Error("watchInstance is not provided");
    }),
  },
  actions: {
    /**
     * Ends whatever is left of the current instance at once (SIGKILL for a process). A
     * placeholder: its `_args` keeps it context-sensitive, which the inference of setup() needs.
     */
    killInstance: (_args) => {},
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
    /** Books a restart: reason, error, and for counted restarts the window and the backoff. */
    bookRestart: assign(
      ({ context }, { reason, error }: { reason: RestartReason; error?: string }) => {
        if (!isCountedRestart(reason)) return { reason, backoffMs: 0 };
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
      failure: { at: context.env.now(), coolDownCancelled: false },
    })),
    /** Back to FAILED as the previous manager left it: its cool-down runs from then. */
    resumeFailure: assign(({ context, event }) =>
      event.type === "RESUME_FAILED"
        ? {
            reason: FAILED_BEFORE_RESTART,
            lastError: event.error,
            failure: { at: Math.min(event.at, context.env.now()), coolDownCancelled: false },
          }
        : {},
    ),
    /** A stop while FAILED: the failure stays visible, but its cool-down must not undo the stop. */
    cancelCoolDown: assign(({ context }) => ({
      failure: { at: context.failure.at, coolDownCancelled: true },
    })),
    /** A failed start or stop; a process that exited before it was ready also leaves its exit. */
    noteError: assign(({ event }) => {
      const error = (event as { error?: unknown }).error;
      const exit = exitOf(error);
      return exit ? { lastError: messageOf(error), exit } : { lastError: messageOf(error) };
    }),
    noteExit: assign(({ event }) =>
      event.type === "CRASHED" || event.type === "EXITED"
        ? {
            exit: { exitCode: event.exitCode, signal: event.signal },
            lastError: event.type === "CRASHED" ? event.error : undefined,
          }
        : {},
    ),
    /** A health check's result below the threshold: counted, and a change of health announced. */
    noteHealth: enqueueActions(({ context, event, system, enqueue }) => {
      if (event.type !== "HEALTH_RESULT") return;
      const { healthy } = event;
      const lastError = healthy ? context.lastError : (event.detail ?? "unhealthy");
      enqueue.assign({
        healthFailures: healthy ? 0 : context.healthFailures + 1,
        healthy,
        lastError,
      });
      // Only a change of health is news. lastError still holds the previous failure when the
      // daemon turns healthy again.
      const supervisor = system.get(SUPERVISOR_ID);
      if (!supervisor || context.healthy === healthy) return;
      const change: DaemonHealthChange = {
        type: "DAEMON.HEALTH",
        name: context.env.name,
        healthy,
        detail: healthy ? undefined : lastError,
      };
      enqueue.sendTo(supervisor, change);
    }),
    /** Every dependency is RUNNING now, or one of them left RUNNING. */
    dependenciesUp: assign(({ context }) => ({ ready: { ...context.ready, dependencies: true } })),
    dependenciesDown: assign(({ context }) => ({
      ready: { ...context.ready, dependencies: false },
    })),
    resourcesGranted: assign(({ context }) => ({ ready: { ...context.ready, resources: true } })),
    /** The supervisor took back the units (or the place in line) of a daemon still PENDING. */
    forgetResources: assign(({ context }) => ({
      ready: { ...context.ready, resources: !context.env.needsResources },
    })),
    /**
     * Asks the supervisor for the units the daemon requires, once it is asked to start and its
     * dependencies run: never earlier, so that a daemon waiting for a dependency holds nothing
     * the dependency may need. Asking again is harmless (the book keeps one place in line).
     */
    askForResources: enqueueActions(({ context, system, enqueue }) => {
      const { ready, startRequested } = context;
      if (ready.resources || !ready.dependencies || !startRequested) return;
      const supervisor = system.get(SUPERVISOR_ID);
      const wanted: DaemonResourcesWanted = {
        type: "DAEMON.RESOURCES_WANTED",
        name: context.env.name,
      };
      if (supervisor) enqueue.sendTo(supervisor, wanted);
    }),
    /**
     * A start from a resting state: the restart counter and the intensity window reset, and the
     * units (released when the instance went) must be granted again.
     */
    requestStart: assign({
      ready: ({ context }) => ({ ...context.ready, resources: !context.env.needsResources }),
      failure: { at: undefined, coolDownCancelled: false },
      attempt: 0,
      restartTimes: (): number[] => [],
      startRequested: true,
      reason: "start",
    }),
    /**
     * After a clean exit the instance's leftovers got SIGTERM from the driver; what still runs
     * `stopTimeoutMs` later is killed, as at the end of a stop.
     */
    scheduleLeftoversKill: raise(
      { type: "LEFTOVERS_DUE" },
      { delay: "stopTimeout", id: "leftovers" },
    ),
    cancelLeftoversKill: cancel("leftovers"),
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
    dependenciesReady: ({ context }) => context.ready.dependencies,
    resourcesGranted: ({ context }) => context.ready.resources,
    startRequested: ({ context }) => context.startRequested,
    restartAllowed: ({ context }) => restartAllowed(context),
    cleanExitStops: ({ context }) => context.policy.restart !== "always",
    restartsWithDependency: ({ context }) => context.policy.restart !== "never",
    healthThresholdReached: ({ context, event }) =>
      event.type === "HEALTH_RESULT" &&
      !event.healthy &&
      context.healthFailures + 1 >= context.policy.health.failureThreshold,
    restartDue: ({ context }) =>
      context.instanceGone && context.backoffElapsed && context.ready.dependencies,
    coolDownEnabled: ({ context }) =>
      context.policy.retryFailedAfterMs !== undefined && !context.failure.coolDownCancelled,
  },
  delays: {
    startTimeout: ({ context }) => context.policy.startTimeoutMs,
    stopTimeout: ({ context }) => context.policy.stopTimeoutMs,
    backoff: ({ context }) => context.backoffMs,
    resetAfter: ({ context }) => context.policy.resetAfterMs,
    heartbeatTimeout: ({ context }) => context.policy.heartbeatTimeoutMs ?? 0,
    retryFailedAfter: ({ context }) => coolDownLeft(context),
  },
});
