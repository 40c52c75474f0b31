/**
 * The root supervisor (SPEC §3).
 *
 * Model: every daemon is a lifecycle actor (machines/daemon-lifecycle.ts) whose systemId is its
 * name, owned by a group supervisor of at most `groupSize` daemons, owned by this root. The root
 * keeps a SupervisionBook of the dependency graph and every daemon's state; each lifecycle actor
 * reports its transitions here, and the root answers by telling dependents that their
 * dependencies are ready or lost (rest_for_one along the graph), so that no daemon is STARTING or
 * RUNNING while a dependency is not RUNNING. Starting sends START to every requested daemon at
 * once: each waits in PENDING until its dependencies run, so a start takes the critical path of
 * the graph. Shutdown stops dependents before their dependencies, in parallel where the graph
 * allows. A `critical` daemon that reaches FAILED escalates: everything is shut down in order
 * and the root ends in `escalated`, so the manager exits non-zero and its own watchdog restarts it.
 */
import { and, assign, enqueueActions, setup } from "xstate";
import type { LifecycleEvent, LifecycleInput } from "./daemon-lifecycle.ts";
import { DEFAULTS } from "./defaults.ts";
import { groupSupervisorMachine } from "./group-supervisor.ts";
import { handOver } from "./resource-handover.ts";
import { ResourceBook } from "./resource-book.ts";
import { SupervisionBook, type Directive } from "./supervision-book.ts";
import type {
  DaemonHealthChange,
  DaemonResourcesWanted,
  DaemonTransition,
} from "./supervisor-protocol.ts";

export { SUPERVISOR_ID } from "./supervisor-protocol.ts";

export interface DaemonRegistration {
  type: "REGISTER";
  dependsOn: readonly string[];
  critical: boolean;
  /** Units of the machine's resources it needs before each start (SPEC §6a). */
  requires?: Readonly<Record<string, number>>;
  input: Omit<LifecycleInput, "dependenciesReady" | "needsResources">;
}

export type SupervisorEvent =
  | DaemonRegistration
  | { type: "START"; names: readonly string[] }
  | { type: "STOP"; names: readonly string[] }
  | { type: "RESTART"; names: readonly string[] }
  /** `name` was FAILED when the previous manager stopped: it goes back to FAILED. */
  | { type: "RESUME_FAILED"; name: string; at: number; error: string | undefined }
  | { type: "SHUTDOWN" }
  | DaemonTransition
  | DaemonHealthChange
  | DaemonResourcesWanted;

export interface SupervisorContext {
  book: SupervisionBook;
  /** The machine's countable resources: the supervisor alone grants and frees their units. */
  resources: ResourceBook;
  groupSize: number;
  groups: number;
  /** Daemons in the newest group. */
  groupFill: number;
  /** The critical daemon whose failure brought everything down. */
  escalatedBy: string | undefined;
}

export interface SupervisorInput {
  book?: SupervisionBook;
  resources?: ResourceBook;
  /** Lifecycle actors per group supervisor; default DEFAULTS.groupSize (why 64: machines/defaults.ts). */
  groupSize?: number;
}

function directiveEvent(directive: Directive) {
  switch (directive.type) {
    case "DEPENDENCY_LOST":
      return { type: directive.type, dependency: directive.dependency };
    default:
      return { type: directive.type };
  }
}

export const supervisorMachine = setup({
  types: {
    context: {} as SupervisorContext,
    events: {} as SupervisorEvent,
    input: {} as SupervisorInput,
  },
  actors: { group: groupSupervisorMachine },
  actions: {
    /** Told of every daemon transition; the runtime publishes it on the bus. */
    onTransition: () => {},
    /** Told of every change of a daemon's health; the runtime publishes it on the bus. */
    onHealthChange: () => {},
    /**
     * Told when the daemon of a DAEMON.RESOURCES_WANTED starts waiting for resources (SPEC §6a);
     * the runtime publishes it with `resources.waitingFor(name)`.
     */
    onWaiting: () => {},
    /** A daemon asks for its units: granted now, or it waits in line and the world is told. */
    grant: enqueueActions(({ context, event, system, enqueue }) => {
      if (event.type !== "DAEMON.RESOURCES_WANTED") return;
      const { resources } = context;
      const wasWaiting = resources.isWaiting(event.name);
      const grant = resources.request(event.name);
      if (grant) {
        const daemon = system.get(event.name);
        if (daemon) enqueue.sendTo(daemon, { type: "RESOURCES_GRANTED" });
      } else if (!wasWaiting) {
        enqueue("onWaiting");
      }
    }),
    register: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== "REGISTER") return;
      const ready = context.book.add(event.input.name, event.dependsOn, event.critical);
      context.resources.declare(event.input.name, event.requires ?? {});
      const needsResources = context.resources.needs(event.input.name);
      let { groups, groupFill } = context;
      if (groups === 0 || groupFill >= context.groupSize) {
        groups += 1;
        groupFill = 0;
        enqueue.spawnChild("group", { id: `group-${groups}` });
      }
      enqueue.sendTo(`group-${groups}`, {
        type: "SPAWN",
        input: { ...event.input, dependenciesReady: ready, needsResources },
      });
      enqueue.assign({ groups, groupFill: groupFill + 1 });
    }),
    forward: enqueueActions(({ event, system, enqueue }) => {
      if (event.type !== "START" && event.type !== "STOP" && event.type !== "RESTART") return;
      for (const name of event.names) {
        const daemon = system.get(name);
        if (daemon) enqueue.sendTo(daemon, { type: event.type });
      }
    }),
    resumeFailed: enqueueActions(({ event, system, enqueue }) => {
      if (event.type !== "RESUME_FAILED") return;
      const daemon = system.get(event.name);
      const resume: LifecycleEvent = { type: "RESUME_FAILED", at: event.at, error: event.error };
      if (daemon) enqueue.sendTo(daemon, resume);
    }),
    book: enqueueActions(({ context, event, system, enqueue }) => {
      if (event.type !== "DAEMON.TRANSITION") return;
      const { book, resources } = context;
      const directives = book.transition(event.name, event.state);
      // Before the directives go out: a daemon told its dependency is lost gave its units back.
      const stateOf = (daemon: string) => book.stateOf(daemon);
      const granted = handOver(resources, stateOf, event.name, event.state, directives);
      for (const directive of directives) {
        const daemon = system.get(directive.to);
        if (daemon) enqueue.sendTo(daemon, directiveEvent(directive));
      }
      for (const holder of granted) {
        const daemon = system.get(holder);
        if (daemon) enqueue.sendTo(daemon, { type: "RESOURCES_GRANTED" });
      }
    }),
    beginShutdown: enqueueActions(({ context, system, enqueue }) => {
      for (const directive of context.book.beginShutdown()) {
        const daemon = system.get(directive.to);
        if (daemon) enqueue.sendTo(daemon, directiveEvent(directive));
      }
    }),
    endShutdown: ({ context }) => context.book.endShutdown(),
  },
  guards: {
    quiescent: ({ context }) => context.book.quiescent,
    escalating: ({ context }) => context.escalatedBy !== undefined,
    criticalFailure: ({ context, event }) =>
      event.type === "DAEMON.TRANSITION" &&
      event.state === "FAILED" &&
      context.book.isCritical(event.name),
  },
}).createMachine({
  id: "supervisor",
  initial: "idle",
  context: ({ input }) => ({
    book: input.book ?? new SupervisionBook(),
    resources: input.resources ?? new ResourceBook(),
    groupSize: input.groupSize ?? DEFAULTS.groupSize,
    groups: 0,
    groupFill: 0,
    escalatedBy: undefined,
  }),
  on: {
    REGISTER: { actions: "register" },
    // Right after the daemon's REGISTER, in place of a START (runtime/manager/restart-memory.ts).
    RESUME_FAILED: { actions: "resumeFailed" },
    "DAEMON.HEALTH": { actions: "onHealthChange" },
    "DAEMON.TRANSITION": { actions: ["onTransition", "book"] },
    "DAEMON.RESOURCES_WANTED": { actions: "grant" },
  },
  states: {
    idle: {
      on: {
        START: { target: "supervising", actions: "forward" },
        STOP: { actions: "forward" },
        RESTART: { target: "supervising", actions: "forward" },
        SHUTDOWN: { target: "shuttingDown" },
      },
    },
    supervising: {
      on: {
        START: { actions: "forward" },
        STOP: { actions: "forward" },
        RESTART: { actions: "forward" },
        SHUTDOWN: { target: "shuttingDown" },
        "DAEMON.TRANSITION": [
          {
            guard: "criticalFailure",
            target: "shuttingDown",
            actions: [
              "onTransition",
              "book",
              assign({
                escalatedBy: ({ event }) =>
                  event.type === "DAEMON.TRANSITION" ? event.name : undefined,
              }),
            ],
          },
          { actions: ["onTransition", "book"] },
        ],
      },
    },
    shuttingDown: {
      entry: "beginShutdown",
      exit: "endShutdown",
      always: [
        { guard: and(["quiescent", "escalating"]), target: "escalated" },
        { guard: "quiescent", target: "idle" },
      ],
    },
    escalated: { type: "final" },
  },
});

export type SupervisorMachine = typeof supervisorMachine;
