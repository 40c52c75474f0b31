/**
 * The lifecycle statechart of one daemon (SPEC §2): exactly seven states, every transition
 * explicit. Timers are XState delays, so a simulated clock drives them in tests. The daemon
 * itself is reached only through the instance slots — the actors `startInstance`,
 * `stopInstance` and `watchInstance` and the action `killInstance` — which runtime/ binds to
 * actors/ with `.provide()`; the context holds the daemon's name, by which they find it. The
 * chart alone enforces `stopTimeoutMs`: in STOPPING and RESTARTING (and after a clean exit) it
 * runs `killInstance` when the time is up.
 *
 * Restarts that count against the intensity limit: crashes, failed or timed-out starts, health
 * and heartbeat failures, clean exits under `always` (machines/restart-reason.ts). Restarts that
 * do not: manual ones and those caused by a dependency leaving RUNNING (OTP's rest_for_one).
 *
 * Beyond the table of SPEC §2: a start (or restart) requested while STOPPING is remembered
 * (`startRequested`); the stop finishes as it would (STOPPED, forced or not, is announced), and
 * then STOPPED --[start requested]--> PENDING takes the daemon on as a start from STOPPED does
 * (the restart counter resets). A stop requested meanwhile forgets the start.
 *
 * Resources (SPEC §6a): a daemon that requires units leaves PENDING only once the supervisor,
 * which keeps the machine's ResourceBook, has sent RESOURCES_GRANTED (guard `resourcesGranted`).
 * It asks (`askForResources`) when it is asked to start and its dependencies run. The units
 * stay granted through STARTING, RUNNING, STOPPING and RESTARTING (a restart keeps them); the
 * supervisor frees them when it reaches STOPPED or FAILED, and a new start asks again.
 *
 * And PENDING --RESUME_FAILED--> FAILED: a daemon that was FAILED when the previous manager
 * stopped goes back to FAILED when the new one supervises it (runtime/manager/restart-memory.ts),
 * with its error, and its cool-down still measured from when it failed. Its restart counters
 * come back through the input (`restored`), so a crash loop spans manager restarts.
 */
import { and, assign, cancel } from "xstate";
import { lifecycleSetup } from "./lifecycle-setup.ts";
import { initialContext } from "./lifecycle-context.ts";
import type { LifecycleState } from "./lifecycle-states.ts";

export type { LifecycleContext, LifecycleEvent, LifecycleInput } from "./lifecycle-context.ts";

/** Entry actions of a state: report the transition to the supervisor, then remember the state. */
function enter(state: LifecycleState) {
  return { type: "announce", params: { state } } as const;
}

/** The instance actors' input: the daemon's name. */
const instanceInput = ({ context }: { context: { env: { name: string } } }) => ({
  name: context.env.name,
});

export const daemonLifecycleMachine = lifecycleSetup.createMachine({
  id: "lifecycle",
  initial: "PENDING",
  context: ({ input }) => initialContext(input),
  on: {
    DEPENDENCIES_READY: { actions: "dependenciesUp" },
    DEPENDENCY_LOST: { actions: "dependenciesDown" },
  },
  states: {
    PENDING: {
      entry: [enter("PENDING"), "askForResources"],
      // SPEC §6a: the units it requires are a condition of the start, as its dependencies are.
      always: {
        guard: and(["startRequested", "dependenciesReady", "resourcesGranted"]),
        target: "STARTING",
      },
      on: {
        START: {
          actions: [assign({ startRequested: true, reason: "start" }), "askForResources"],
        },
        DEPENDENCIES_READY: { actions: ["dependenciesUp", "askForResources"] },
        // The supervisor takes back its units or its place in line: it asks again later.
        DEPENDENCY_LOST: { actions: ["dependenciesDown", "forgetResources"] },
        RESOURCES_GRANTED: { actions: "resourcesGranted" },
        STOP: { target: "STOPPED", actions: assign({ startRequested: false, reason: "stop" }) },
        // It was FAILED when the previous manager stopped: it still is (machines/restart-record.ts).
        RESUME_FAILED: { target: "FAILED", actions: "resumeFailure" },
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
        input: instanceInput,
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
          actions: ["dependenciesDown", { type: "bookRestart", params: { reason: "dependency" } }],
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
      invoke: { src: "watchInstance", input: instanceInput },
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
            actions: ["noteExit", assign({ reason: "exit" }), "scheduleLeftoversKill"],
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
          { actions: "noteHealth" },
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
        MEMORY_EXCEEDED: [
          {
            guard: "restartAllowed",
            target: "RESTARTING",
            actions: [
              assign(({ event }) => ({ lastError: event.error })),
              { type: "bookRestart", params: { reason: "memory" } },
            ],
          },
          {
            target: "FAILED",
            actions: [
              assign(({ event }) => ({ lastError: event.error })),
              { type: "giveUp", params: {} },
            ],
          },
        ],
        DEPENDENCY_LOST: [
          {
            guard: "restartsWithDependency",
            target: "RESTARTING",
            actions: [
              "dependenciesDown",
              { type: "bookRestart", params: { reason: "dependency" } },
            ],
          },
          {
            target: "STOPPING",
            actions: ["dependenciesDown", assign({ reason: "dependency" })],
          },
        ],
      },
    },
    STOPPING: {
      entry: enter("STOPPING"),
      invoke: {
        src: "stopInstance",
        input: instanceInput,
        onDone: { target: "STOPPED" },
        onError: { target: "STOPPED", actions: ["noteError", "killInstance"] },
      },
      after: {
        stopTimeout: { target: "STOPPED", actions: [assign({ forced: true }), "killInstance"] },
      },
      on: {
        // Remembered: once STOPPED, the daemon is started again (see STOPPED).
        START: { actions: assign({ startRequested: true }) },
        RESTART: { actions: assign({ startRequested: true }) },
        STOP: { actions: assign({ startRequested: false }) },
      },
    },
    STOPPED: {
      entry: [assign({ healthy: undefined }), enter("STOPPED")],
      // A new instance is on its way: nothing of the previous one may be left.
      exit: ["cancelLeftoversKill", "killInstance"],
      always: { guard: "startRequested", target: "PENDING", actions: "requestStart" },
      on: {
        START: { target: "PENDING", actions: "requestStart" },
        RESTART: { target: "PENDING", actions: "requestStart" },
        LEFTOVERS_DUE: { actions: "killInstance" },
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
        STOP: { actions: "cancelCoolDown" },
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
        input: instanceInput,
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
