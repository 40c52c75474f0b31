/**
 * The XState actor system behind a DaemonManager: the root supervisor actor, its group
 * supervisors and one lifecycle actor per daemon (SPEC §3), on the manager's clock, with the
 * lifecycle chart's actor slots bound to actors/ and warden's two patches of XState internals
 * applied (actors/clock.ts: see BENCHMARKS.md for why; re-check them on every xstate upgrade).
 */
import { createActor, type Actor, type InspectionEvent, type Observer } from "xstate";
import { indexDelayedEvents, queueDeferredEffects, type WardenClock } from "../../actors/clock.ts";
import { startInstance, stopInstance, watchInstance } from "../../actors/lifecycle-actors.ts";
import type { DaemonDriver } from "../../machines/daemon-driver.ts";
import { daemonLifecycleMachine } from "../../machines/daemon-lifecycle.ts";
import type { DaemonPolicy } from "../../machines/daemon-policy.ts";
import { groupSupervisorMachine } from "../../machines/group-supervisor.ts";
import { SUPERVISOR_ID, supervisorMachine } from "../../machines/supervisor.ts";
import type { DaemonHealthChange, DaemonTransition } from "../../machines/supervisor-protocol.ts";

const lifecycleLogic = daemonLifecycleMachine.provide({
  actors: { startInstance, stopInstance, watchInstance },
});
const groupLogic = groupSupervisorMachine.provide({ actors: { lifecycle: lifecycleLogic } });

export type SupervisorActor = Actor<typeof supervisorMachine>;

export interface ActorSystemOptions {
  clock: WardenClock;
  /** Lifecycle actors per group supervisor. */
  groupSize?: number | undefined;
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void) | undefined;
  onTransition(transition: DaemonTransition): void;
  onHealthChange(change: DaemonHealthChange): void;
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
 * supervisor.send({ type: "REGISTER", ...registration(daemon) });
 */
export function createActorSystem(options: ActorSystemOptions): SupervisorActor {
  const logic = supervisorMachine.provide({
    actors: { group: groupLogic },
    actions: {
      onTransition: ({ event }) => {
        if (event.type === "DAEMON.TRANSITION") options.onTransition(event);
      },
      onHealthChange: ({ event }) => {
        if (event.type === "DAEMON.HEALTH") options.onHealthChange(event);
      },
    },
  });
  const supervisor = createActor(logic, {
    clock: options.clock,
    systemId: SUPERVISOR_ID,
    input: { groupSize: options.groupSize },
    ...(options.inspect ? { inspect: options.inspect } : {}),
  });
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
  driver: DaemonDriver;
}

/**
 * The REGISTER event that hands `daemon` to the supervisor.
 *
 * @example
 * supervisor.send(registerEvent(daemon, clock, Math.random));
 */
export function registerEvent(
  daemon: DaemonRegistration,
  clock: WardenClock,
  random: () => number,
) {
  return {
    type: "REGISTER" as const,
    dependsOn: daemon.dependsOn,
    critical: daemon.policy.critical,
    input: {
      name: daemon.name,
      policy: daemon.policy,
      driver: daemon.driver,
      now: () => clock.now(),
      random,
    },
  };
}
