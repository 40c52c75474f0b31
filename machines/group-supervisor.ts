/**
 * A group supervisor: owns up to a few hundred lifecycle actors, as OTP supervision trees do.
 * XState copies a parent's children map on every spawn, so one parent with 100,000 children
 * would make each spawn cost O(n) (SPEC §13); groups keep every spawn cheap.
 */
import { enqueueActions, setup } from "xstate";
import { daemonLifecycleMachine, type LifecycleInput } from "./daemon-lifecycle.ts";

export type GroupEvent = { type: "SPAWN"; input: LifecycleInput };

export const groupSupervisorMachine = setup({
  types: { events: {} as GroupEvent },
  actors: { lifecycle: daemonLifecycleMachine },
}).createMachine({
  id: "group",
  on: {
    SPAWN: {
      actions: enqueueActions(({ event, enqueue }) => {
        // The stable name lives on the lifecycle actor, which is never replaced (SPEC §13).
        enqueue.spawnChild("lifecycle", {
          id: event.input.name,
          systemId: event.input.name,
          input: event.input,
        });
      }),
    },
  },
});
