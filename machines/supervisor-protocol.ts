import type { LifecycleState } from "./lifecycle-states.ts";

/** The systemId of the root supervisor; lifecycle actors report to it by this id. */
export const SUPERVISOR_ID = "warden.supervisor";

/** A lifecycle actor's report of one transition, sent to the root supervisor. */
export interface DaemonTransition {
  type: "DAEMON.TRANSITION";
  name: string;
  state: LifecycleState;
  from: LifecycleState;
  reason: string;
  error: string | undefined;
  attempt: number;
  delayMs: number;
  forced: boolean;
  exitCode: number | null | undefined;
  signal: string | null | undefined;
}

/** A lifecycle actor's report that its health changed. */
export interface DaemonHealthChange {
  type: "DAEMON.HEALTH";
  name: string;
  healthy: boolean;
  detail: string | undefined;
}

/**
 * A lifecycle actor in PENDING, asked to start with its dependencies RUNNING, wants the units it
 * requires; the supervisor answers RESOURCES_GRANTED now or once they are released.
 */
export interface DaemonResourcesWanted {
  type: "DAEMON.RESOURCES_WANTED";
  name: string;
}
