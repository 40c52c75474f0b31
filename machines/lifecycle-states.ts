/** The seven lifecycle states of SPEC §2, and nothing else. */
export const LIFECYCLE_STATES = [
  "PENDING",
  "STARTING",
  "RUNNING",
  "STOPPING",
  "STOPPED",
  "FAILED",
  "RESTARTING",
] as const;

export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

/** States in which no instance of the daemon is alive or being brought up. */
export const RESTING_STATES: ReadonlySet<LifecycleState> = new Set([
  "PENDING",
  "STOPPED",
  "FAILED",
]);

/** The lifecycle state of a snapshot value, or undefined for anything else. */
export function stateOf(value: unknown): LifecycleState | undefined {
  return typeof value === "string" && (LIFECYCLE_STATES as readonly string[]).includes(value)
    ? (value as LifecycleState)
    : undefined;
}
