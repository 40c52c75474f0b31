/**
 * A process daemon's own cgroup (SPEC §6a), where the manager may create one
 * (actors/cgroup-support.ts): `limits.cpuPercent` becomes the CPU quota (`cpu.max` in v2,
 * `cpu.cfs_quota_us` in v1, over a 100 ms period), `limits.memoryMb` the memory limit
 * (`memory.max`, `memory.limit_in_bytes`), and the cgroup's member list is the authority for
 * "which processes are this daemon's": every process it forks lands there, whatever it does with
 * process groups, sessions or its environment. The directory stays from one instance to the next
 * and is removed when the daemon's driver is disposed (actors/cgroup-tree.ts).
 */
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { errorCode } from "./process-groups.ts";

const MIB = 2 ** 20;
/** The CPU quota's period: cpuPercent 50 is 50 ms of CPU time every 100 ms. */
export const CPU_PERIOD_US = 100_000;
/** The smallest quota the kernel takes (1 ms). */
const MIN_QUOTA_US = 1000;

/** The limits a cgroup enforces. */
export interface CgroupLimits {
  memoryMb?: number | undefined;
  cpuPercent?: number | undefined;
}

export class DaemonCgroup {
  /**
   * @param version which interface the files follow
   * @param cpuDir the cgroup that holds the `cpu` controller's files (v2: the one cgroup)
   * @param memoryDir the one that holds the `memory` controller's (v2: the same)
   */
  constructor(
    readonly version: "v1" | "v2",
    readonly cpuDir: string,
    readonly memoryDir: string,
  ) {}

  /** Its directories: one in v2, one per hierarchy in v1. */
  get dirs(): string[] {
    return this.cpuDir === this.memoryDir ? [this.cpuDir] : [this.cpuDir, this.memoryDir];
  }

  /**
   * Creates the directories (if they are not there yet) and writes `limits`, lifting those not
   * set. Throws, saying which file, when the kernel refuses.
   */
  prepare(limits: CgroupLimits): void {
    for (const dir of this.dirs) mkdirSync(dir, { recursive: true });
    const { memoryMb, cpuPercent } = limits;
    const quota =
      cpuPercent === undefined
        ? undefined
        : Math.max(MIN_QUOTA_US, Math.round((cpuPercent / 100) * CPU_PERIOD_US));
    const bytes = memoryMb === undefined ? undefined : Math.round(memoryMb * MIB);
    if (this.version === "v2") {
      write(this.cpuDir, "cpu.max", `${quota ?? "max"} ${CPU_PERIOD_US}`);
      write(this.memoryDir, "memory.max", bytes === undefined ? "max" : String(bytes));
      return;
    }
    write(this.cpuDir, "cpu.cfs_period_us", String(CPU_PERIOD_US));
    write(this.cpuDir, "cpu.cfs_quota_us", quota === undefined ? "-1" : String(quota));
    write(this.memoryDir, "memory.limit_in_bytes", bytes === undefined ? "-1" : String(bytes));
  }

  /** Moves process `pid` in; false when it is gone already. Throws when the kernel refuses. */
  adopt(pid: number): boolean {
    try {
      for (const dir of this.dirs) write(dir, "cgroup.procs", String(pid));
      return true;
    } catch (error) {
      if (causeCode(error) === "ESRCH") return false;
      throw error;
    }
  }

  /** The pids of every process in it (empty when the cgroup is not there). */
  pids(): number[] {
    const text = readText(join(this.memoryDir, "cgroup.procs"));
    if (text === undefined) return [];
    const pids: number[] = [];
    for (const line of text.split("\n")) {
      const pid = Number(line);
      if (line !== "" && Number.isSafeInteger(pid) && pid > 0) pids.push(pid);
    }
    return pids;
  }

  /** How many processes the kernel killed in it for going over its memory limit, so far. */
  oomKills(): number {
    const file = this.version === "v2" ? "memory.events" : "memory.oom_control";
    const match = /^oom_kill (\d+)$/m.exec(readText(join(this.memoryDir, file)) ?? "");
    return match ? Number(match[1]) : 0;
  }

  /** Removes the directories; false when one still holds processes (or cannot be removed). */
  remove(): boolean {
    let removed = true;
    for (const dir of this.dirs) removed = removeDir(dir) && removed;
    return removed;
  }
}

/** rmdir; true when the directory is gone (or was never there). */
export function removeDir(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch (error) {
    return errorCode(error) === "ENOENT";
  }
}

/** Writes `value` to a control file; the error names the file. */
export function write(dir: string, file: string, value: string): void {
  const path = join(dir, file);
  try {
    writeFileSync(path, value);
  } catch (error) {
    const code = errorCode(error) ?? "error";
    throw new Error(`cannot write "${value}" to ${path} (${code})`, { cause: error });
  }
}

function causeCode(error: unknown): string | undefined {
  return errorCode((error as { cause?: unknown }).cause) ?? errorCode(error);
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    // The cgroup was removed, or was never made: nothing in it.
    return undefined;
  }
}
