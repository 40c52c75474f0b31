/**
 * What status shows of a process daemon's `limits` (SPEC §6a): the limits as configured, which of
 * them are not enforced here, and why. `memoryMb` is always enforced by sampling (a restart with
 * reason `memory`, actors/process-memory.ts), and by the daemon's cgroup where it has one;
 * `cpuPercent` needs that cgroup (actors/cgroup-support.ts, actors/cgroup-tree.ts), so it is
 * reported unenforced where the manager may not create cgroups or could not make the daemon's;
 * `nice` is applied at spawn (actors/process-nice.ts).
 */
import { cgroupSupport } from "../../actors/cgroup-support.ts";
import type { ProcessLimits } from "../../actors/process-spec.ts";

export interface LimitsStatus extends ProcessLimits {
  /** The limits set that nothing enforces on this machine, e.g. `["cpuPercent"]`. */
  unenforced: string[];
  /** Why, when `unenforced` is not empty. */
  unenforcedReason?: string;
}

/**
 * The status of `limits`, or undefined when none is set. `cgroupProblem`: why the daemon got no
 * cgroup where the manager could create them.
 *
 * @example
 * limitsStatus({ memoryMb: 256, cpuPercent: 50 });
 * // { memoryMb: 256, cpuPercent: 50, unenforced: ["cpuPercent"], unenforcedReason: "…" }
 */
export function limitsStatus(
  limits: ProcessLimits | undefined,
  cgroupProblem?: string,
): LimitsStatus | undefined {
  if (limits === undefined || Object.keys(limits).length === 0) return undefined;
  const unenforced = unenforcedLimits(limits, cgroupProblem);
  const status: LimitsStatus = { ...limits, unenforced };
  if (unenforced.length > 0) status.unenforcedReason = cgroupProblem ?? cgroupSupport().reason;
  return status;
}

/** The limits of `limits` nothing enforces here: `cpuPercent` without a cgroup. */
export function unenforcedLimits(
  limits: ProcessLimits | undefined,
  cgroupProblem?: string,
): string[] {
  const enforced = cgroupSupport().enforced && cgroupProblem === undefined;
  return limits?.cpuPercent !== undefined && !enforced ? ["cpuPercent"] : [];
}
