/**
 * The XState actor system behind a DaemonManager: the root supervisor actor, its group
 * supervisors and one lifecycle actor per daemon (SPEC §3), on the manager's clock, with the
 * lifecycle chart's instance slots bound to actors/ and warden's two patches of XState internals
 * applied (actors/clock.ts: see BENCHMARKS.md for why; re-check them on every xstate upgrade).
 *
 * The slots are provided once per manager (not per daemon: a `.provide()` copies the machine),
 * over this manager's drivers by name; `registerDaemon` adds a daemon's driver, then hands the
 * daemon to the supervisor.
 */
import { createActor, type Actor, type InspectionEvent, type Observer } from "xstate";
import { indexDelayedEvents, queueDeferredEffects, type WardenClock } from "../../actors/clock.ts";
import { lifecycleImplementations, type DaemonDriver } from "../../actors/lifecycle-actors.ts";
import {
  daemonLifecycleMachine,
  type DaemonLifecycleMachine,
  type LifecycleInput,
} from "../../machines/daemon-lifecycle.ts";
import type { DaemonPolicy } from "../../machines/daemon-policy.ts";
import { groupSupervisorMachine } from "../../machines/group-supervisor.ts";
import type { ResourceBook } from "../../machines/resource-book.ts";
import {
  SUPERVISOR_ID,
  supervisorMachine,
  type SupervisorMachine,
} from "../../machines/supervisor.ts";
import type { DaemonHealthChange, DaemonTransition } from "../../machines/supervisor-protocol.ts";

export type SupervisorActor = Actor<typeof supervisorMachine>;

/** Each supervisor's drivers by daemon name: what its lifecycle actors' slots run. */
const driversOf = new WeakMap<SupervisorActor, Map<string, DaemonDriver>>();

export interface ActorSystemOptions {
  clock: WardenClock;
  /** Lifecycle actors per group supervisor. */
  groupSize?: number | undefined;
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void) | undefined;
  /** The charts; default `daemonLifecycleMachine`, `supervisorMachine` (broken copies in the simulator's tests). */
  machines?: { lifecycle?: DaemonLifecycleMachine; supervisor?: SupervisorMachine } | undefined;
  onTransition(transition: DaemonTransition): void;
  onHealthChange(change: DaemonHealthChange): void;
  /** The machine's resources (SPEC §6a); the supervisor grants and frees their units. */
  resources?: ResourceBook | undefined;
  /** A daemon started waiting in PENDING for resources; `waitingFor` says what for. */
  onWaiting?(name: string, waitingFor: string): void;
  /** A critical daemon failed and the supervisor shut everything down. */
  onEscalated(name: string): void;
  /** An error of the supervisor actor itself. */
  onError(error: unknown): void;
}

/**
 * Creates and starts the root supervisor actor.
 *
 * @example
 * const supervisor = createActorSystem({ clock, onTransition, onHealthChange, onEscalated, onError });
 * registerDaemon(supervisor, daemon, clock, Math.random);
 */
export function createActorSystem(options: ActorSystemOptions): SupervisorActor {
  const drivers = new Map<string, DaemonDriver>();
  const lifecycleLogic = (options.machines?.lifecycle ?? daemonLifecycleMachine).provide(
    lifecycleImplementations((name) => drivers.get(name)),
  );
  const groupLogic = groupSupervisorMachine.provide({ actors: { lifecycle: lifecycleLogic } });
  const logic = (options.machines?.supervisor ?? supervisorMachine).provide({
    actors: { group: groupLogic },
    actions: {
      onTransition: ({ event }) => {
        if (event.type === "DAEMON.TRANSITION") options.onTransition(event);
      },
      onHealthChange: ({ event }) => {
        if (event.type === "DAEMON.HEALTH") options.onHealthChange(event);
      },
      onWaiting: ({ context, event }) => {
        if (event.type !== "DAEMON.RESOURCES_WANTED") return;
        options.onWaiting?.(event.name, context.resources.waitingFor(event.name) ?? "");
      },
    },
  });
  const supervisor = createActor(logic, {
    clock: options.clock,
    systemId: SUPERVISOR_ID,
    input: {
      groupSize: options.groupSize,
      ...(options.resources ? { resources: options.resources } : {}),
    },
    ...(options.inspect ? { inspect: options.inspect } : {}),
  });
  driversOf.set(supervisor, drivers);
  // One system holds every daemon: keep stopping an actor O(its own timers) (SPEC §13).
  indexDelayedEvents(supervisor.system);
  // One transition of the root may send to every daemon (START, SHUTDOWN): keep that O(n).
  queueDeferredEffects(supervisor);
  supervisor.subscribe({
    next: (snapshot) => {
      if (snapshot.status === "done" && snapshot.context.escalatedBy) {
        options.onEscalated(snapshot.context.escalatedBy);
      }
    },
    error: (error) => options.onError(error),
  });
  supervisor.start();
  return supervisor;
}

/** What the supervisor needs to run one daemon's lifecycle actor. */
export interface DaemonRegistration {
  name: string;
  dependsOn: readonly string[];
  policy: DaemonPolicy;
  /** Units of the machine's resources it needs before each start (SPEC §6a). */
  requires?: Readonly<Record<string, number>> | undefined;
  driver: DaemonDriver;
  /** The restart counters a previous manager left (restart-memory.ts); fresh when absent. */
  restored?: LifecycleInput["restored"];
}

/**
 * Hands `daemon` to `supervisor` (made by createActorSystem): its driver becomes the one its
 * lifecycle actor's slots run, then the supervisor is sent REGISTER.
 *
 * @example
 * registerDaemon(supervisor, daemon, clock, Math.random);
 */
export function registerDaemon(
  supervisor: SupervisorActor,
  daemon: DaemonRegistration,
  clock: WardenClock,
  random: () => number,
): void {
  const drivers = driversOf.get(supervisor);
  if (!drivers) throw new Error("the supervisor was not made by createActorSystem");
  drivers.set(daemon.name, daemon.driver);
  supervisor.send(registerEvent(daemon, clock, random));
}

/**
 * The REGISTER event that hands `daemon` to the supervisor: the lifecycle actor's input holds
 * its name, not its driver (see registerDaemon).
 *
 * @example
 * supervisor.send(registerEvent(daemon, clock, Math.random));
 */
export function registerEvent(
  daemon: Omit<DaemonRegistration, "driver">,
  clock: WardenClock,
  random: () => number,
) {
  return {
    type: "REGISTER" as const,
    dependsOn: daemon.dependsOn,
    critical: daemon.policy.critical,
    ...(daemon.requires ? { requires: daemon.requires } : {}),
    input: {
      name: daemon.name,
      policy: daemon.policy,
      now: () => clock.now(),
      random,
      ...(daemon.restored ? { restored: daemon.restored } : {}),
    },
  };
}
