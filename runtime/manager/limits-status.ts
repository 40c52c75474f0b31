/**
 * What status shows of a process daemon's `limits` (SPEC §6a): the limits as configured, which of
 * them are not enforced here, and why. `memoryMb` is always enforced by sampling (a restart with
 * reason `memory`, actors/process-memory.ts); `cpuPercent` needs a cgroup, which this release
 * does not create (actors/cgroup-support.ts), so it is reported unenforced; `nice` is applied at
 * spawn (actors/process-nice.ts).
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
 * The status of `limits`, or undefined when none is set.
 *
 * @example
 * limitsStatus({ memoryMb: 256, cpuPercent: 50 });
 * // { memoryMb: 256, cpuPercent: 50, unenforced: ["cpuPercent"], unenforcedReason: "…" }
 */
export function limitsStatus(limits: ProcessLimits | undefined): LimitsStatus | undefined {
  if (limits === undefined || Object.keys(limits).length === 0) return undefined;
  const unenforced = unenforcedLimits(limits);
  const status: LimitsStatus = { ...limits, unenforced };
  if (unenforced.length > 0) status.unenforcedReason = cgroupSupport().reason;
  return status;
}

/** The limits of `limits` nothing enforces here: `cpuPercent` while warden creates no cgroups. */
export function unenforcedLimits(limits: ProcessLimits | undefined): string[] {
  const support = cgroupSupport();
  return limits?.cpuPercent !== undefined && !support.enforced ? ["cpuPercent"] : [];
}
