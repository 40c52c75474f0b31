/**
 * Whether the manager may create cgroups for its daemons (SPEC §6a), detected, never assumed:
 * cgroup v2 with a delegated subtree (the manager's own cgroup writable, with the `cpu` and
 * `memory` controllers available to it), or cgroup v1 as root with the `cpu` and `memory`
 * hierarchies mounted and writable. Where it may, each process daemon runs in a cgroup of its own
 * (actors/daemon-cgroup.ts) that enforces `limits.cpuPercent` and `limits.memoryMb` and says which
 * processes are the daemon's; elsewhere `cpuPercent` is reported unenforced. `WARDEN_CGROUPS=off`
 * in the manager's environment turns the use of cgroups off.
 */
import { accessSync, constants, readFileSync } from "node:fs";
import { join, relative } from "node:path";

export interface CgroupSupport {
  /** Which hierarchy the manager is in; "none" without /proc/self/cgroup. */
  version: "v2" | "v1" | "none";
  /** Whether the manager could create cgroups for its daemons there. */
  delegated: boolean;
  /** Whether warden puts its daemons in cgroups of their own (delegated, and not turned off). */
  enforced: boolean;
  /** Why limits are not enforced through cgroups; where they are, where the cgroups go. */
  reason: string;
  /**
   * Where the daemons' cgroups go, when `enforced`: for v1 the manager's own cgroup in the `cpu`
   * and in the `memory` hierarchy; for v2 the manager's own cgroup.
   */
  parents?: { cpu: string; memory: string } | { unified: string };
}

/** What detection reads; tests pass their own. */
export interface CgroupHostFacts {
  /** The text of /proc/self/cgroup; undefined where there is none. */
  selfCgroup: string | undefined;
  /** The text of /proc/self/mountinfo. */
  mountInfo: string | undefined;
  root: boolean;
  /** WARDEN_CGROUPS from the environment. */
  setting?: string | undefined;
  /** Whether a path exists and may be written (default: the file system's answer). */
  writable?: (path: string) => boolean;
  /** The text of a file, or undefined (default: read from the file system). */
  read?: (path: string) => string | undefined;
}

let detected: CgroupSupport | undefined;

/**
 * What the manager may do with cgroups, detected once per process.
 *
 * @example
 * cgroupSupport().reason; // "no delegated cgroup v2 subtree: /sys/fs/cgroup/user.slice/... is not writable"
 */
export function cgroupSupport(): CgroupSupport {
  detected ??= detect({
    selfCgroup: readText("/proc/self/cgroup"),
    mountInfo: readText("/proc/self/mountinfo"),
    root: process.getuid?.() === 0,
    setting: process.env.WARDEN_CGROUPS,
  });
  return detected;
}

/** Forgets what was detected (the tree gave up on cgroups, or a test changed the setting). */
export function redetectCgroups(replacement?: CgroupSupport): void {
  detected = replacement;
}

/** The detection, from the facts of the host; exported for tests. */
export function detect(facts: CgroupHostFacts): CgroupSupport {
  const { selfCgroup, root } = facts;
  const canWrite = facts.writable ?? writable;
  const read = facts.read ?? readText;
  if (selfCgroup === undefined) {
    return none("none", "no /proc/self/cgroup: cgroups are not available here");
  }
  const lines = selfCgroup.split("\n").filter((line) => line.length > 0);
  const mounts = cgroupMounts(facts.mountInfo ?? "");
  const off = /^(0|off|false|no)$/i.test(facts.setting ?? "");
  const unified = lines.find((line) => line.startsWith("0::"));
  if (unified !== undefined && lines.length === 1) {
    const mount = mounts.find((entry) => entry.type === "cgroup2");
    const dir = cgroupDir(mount, unified.slice(3), "/sys/fs/cgroup");
    const controllers = read(join(dir, "cgroup.controllers"))?.split(/\s+/) ?? [];
    if (!canWrite(dir)) return none("v2", `no delegated cgroup v2 subtree: ${dir} is not writable`);
    if (!controllers.includes("cpu") || !controllers.includes("memory")) {
      return none("v2", `cgroup v2 subtree ${dir} lacks the cpu or memory controller`);
    }
    return usable("v2", { unified: dir }, off, dir);
  }
  if (!root) return none("v1", "cgroup v1 needs the manager to run as root");
  const parents: Record<string, string> = {};
  for (const controller of ["cpu", "memory"]) {
    const mount = mounts.find((entry) => entry.type === "cgroup" && entry.options.has(controller));
    if (mount === undefined) return none("v1", `no cgroup v1 ${controller} hierarchy is mounted`);
    const own = ownPath(lines, controller) ?? "/";
    const dir = cgroupDir(mount, own, mount.point);
    if (!canWrite(dir)) return none("v1", `cgroup v1 as root, but ${dir} is not writable`);
    parents[controller] = dir;
  }
  const [cpu, memory] = [parents.cpu!, parents.memory!];
  return usable("v1", { cpu, memory }, off, `${cpu}, ${memory}`);
}

function usable(
  version: "v1" | "v2",
  parents: NonNullable<CgroupSupport["parents"]>,
  off: boolean,
  where: string,
): CgroupSupport {
  if (off) return { ...none(version, "turned off by WARDEN_CGROUPS"), delegated: true };
  return {
    version,
    delegated: true,
    enforced: true,
    reason: `cgroup ${version} under ${where}`,
    parents,
  };
}

function none(version: CgroupSupport["version"], reason: string): CgroupSupport {
  return { version, delegated: false, enforced: false, reason };
}

interface CgroupMount {
  type: "cgroup" | "cgroup2";
  /** The path of the hierarchy the mount shows at its mount point. */
  root: string;
  point: string;
  options: Set<string>;
}

/** The cgroup file systems of /proc/self/mountinfo (fields: id parent dev root point ... - type source options). */
function cgroupMounts(mountInfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountInfo.split("\n")) {
    const [left, right] = line.split(" - ");
    if (left === undefined || right === undefined) continue;
    const fields = left.split(" ");
    const [type, , superOptions] = right.split(" ");
    if ((type !== "cgroup" && type !== "cgroup2") || fields.length < 5) continue;
    const options = new Set((superOptions ?? "").split(","));
    mounts.push({ type, root: unescape(fields[3]!), point: unescape(fields[4]!), options });
  }
  return mounts;
}

/** The manager's path in the v1 hierarchy that holds `controller` ("4:memory:/a/b" → "/a/b"). */
function ownPath(lines: readonly string[], controller: string): string | undefined {
  for (const line of lines) {
    const [, list, path] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (list?.split(",").includes(controller)) return path;
  }
  return undefined;
}

/**
 * Where the cgroup at `path` of a hierarchy is on disk: under the mount that shows it, relative
 * to the mount's root; the mount point itself when the path lies outside what the mount shows.
 */
function cgroupDir(mount: CgroupMount | undefined, path: string, fallback: string): string {
  if (mount === undefined) return join(fallback, path);
  const inside = relative(mount.root, path);
  return inside.startsWith("..") ? mount.point : join(mount.point, inside);
}

/** mountinfo escapes spaces and the like as octal (`\040`). */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) =>
    String.fromCharCode(parseInt(octal, 8)),
  );
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
