/**
 * Whether the manager may create cgroups for its daemons (SPEC §6a), detected, never assumed:
 * cgroup v2 with a delegated subtree (the manager's own cgroup writable, with the `cpu` and
 * `memory` controllers available to it), or cgroup v1 as root. Without one, `limits.cpuPercent`
 * and the cgroup side of `limits.memoryMb` are reported unenforced. This release measures and
 * restarts over memory itself (actors/memory-sampler.ts) and does not create cgroups yet, so a
 * detected cgroup is reported too, as available but unused.
 */
import { accessSync, constants, readFileSync } from "node:fs";
import { join } from "node:path";

export interface CgroupSupport {
  /** Which hierarchy the manager is in; "none" without /proc/self/cgroup. */
  version: "v2" | "v1" | "none";
  /** Whether the manager could create cgroups for its daemons there. */
  delegated: boolean;
  /** Whether warden enforces limits through cgroups (not in this release). */
  enforced: false;
  /** Why limits are not enforced through cgroups, for status and `warden up`'s warning. */
  reason: string;
}

const CGROUP_ROOT = "/sys/fs/cgroup";

let detected: CgroupSupport | undefined;

/**
 * What the manager may do with cgroups, detected once per process.
 *
 * @example
 * cgroupSupport().reason; // "no delegated cgroup v2 subtree: /sys/fs/cgroup/user.slice/... is not writable"
 */
export function cgroupSupport(): CgroupSupport {
  detected ??= detect(readText("/proc/self/cgroup"), process.getuid?.() === 0);
  return detected;
}

/** The detection, from the text of /proc/self/cgroup; exported for tests. */
export function detect(selfCgroup: string | undefined, root: boolean): CgroupSupport {
  const unused = "warden does not create cgroups yet";
  if (selfCgroup === undefined) {
    return none("none", "no /proc/self/cgroup: cgroups are not available here");
  }
  const lines = selfCgroup.split("\n").filter((line) => line.length > 0);
  const unified = lines.find((line) => line.startsWith("0::"));
  if (unified !== undefined && lines.length === 1) {
    const dir = join(CGROUP_ROOT, unified.slice(3));
    const controllers = readText(join(dir, "cgroup.controllers"))?.split(/\s+/) ?? [];
    if (!writable(dir)) return none("v2", `no delegated cgroup v2 subtree: ${dir} is not writable`);
    if (!controllers.includes("cpu") || !controllers.includes("memory")) {
      return none("v2", `cgroup v2 subtree ${dir} lacks the cpu or memory controller`);
    }
    return { version: "v2", delegated: true, enforced: false, reason: `${unused} (${dir})` };
  }
  if (!root) return none("v1", "cgroup v1 needs the manager to run as root");
  if (!writable(join(CGROUP_ROOT, "cpu"))) {
    return none("v1", `cgroup v1 as root, but ${CGROUP_ROOT}/cpu is not writable`);
  }
  return { version: "v1", delegated: true, enforced: false, reason: unused };
}

function none(version: CgroupSupport["version"], reason: string): CgroupSupport {
  return { version, delegated: false, enforced: false, reason };
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    // Missing (no cgroups, not Linux) or unreadable: detection says so.
    return undefined;
  }
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    // EACCES, EROFS, ENOENT: the manager may not create cgroups there.
    return false;
  }
}
