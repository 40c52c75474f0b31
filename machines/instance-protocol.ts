/**
 * What passes between a lifecycle actor and the instances of its daemon (SPEC §2, §4). The chart
 * invokes `startInstance`, `stopInstance` and `watchInstance` with an InstanceInput (the
 * daemon's name: runtime/ binds the slots with `.provide()` to actor logic that finds the daemon
 * by name), and a watched instance sends back InstanceReports.
 */

/** The input of the chart's instance actors: which daemon. */
export interface InstanceInput {
  name: string;
}

/** What a running instance can tell its lifecycle actor. */
export type InstanceReport =
  | { type: "CRASHED"; error: string; exitCode?: number | null; signal?: string | null }
  | { type: "EXITED"; exitCode: number | null; signal?: string | null }
  | { type: "HEARTBEAT" }
  | { type: "HEALTH_RESULT"; healthy: boolean; detail?: string }
  /** Its processes use more resident memory than `limits.memoryMb` allows (SPEC §6a). */
  | { type: "MEMORY_EXCEEDED"; error: string };
