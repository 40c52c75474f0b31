/**
 * Benchmark (f)'s readings of another process from Linux's /proc: its resident and private dirty
 * memory, and the CPU time it has used.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";

/** A process's memory at one moment, in bytes. */
export interface Memory {
  /** `VmRSS` of /proc/<pid>/status: resident pages, shared ones (code, libraries) included. */
  rssBytes: number;
  /** `Private_Dirty` of /proc/<pid>/smaps_rollup: pages written to that no other process maps. */
  privateDirtyBytes: number;
}

/** Why this machine has no /proc to read, or undefined when it has. */
export function whyNoProc(): string | undefined {
  if (process.platform !== "linux") return `not Linux (${process.platform}), so no /proc to read`;
  if (!existsSync(`/proc/${process.pid}/smaps_rollup`)) {
    return "/proc/<pid>/smaps_rollup is missing (Linux before 4.14)";
  }
  return undefined;
}

/** The `<field>: <n> kB` line of a /proc file, in bytes. */
function kilobytes(file: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(readFileSync(file, "utf8"));
  if (!match) throw new Error(`cli-footprint: no "${field}: … kB" line in ${file}`);
  return Number(match[1]) * 1024;
}

/**
 * The memory of process `pid` now.
 *
 * @example
 * readMemory(process.pid).rssBytes; // e.g. 52_428_800
 */
export function readMemory(pid: number): Memory {
  return {
    rssBytes: kilobytes(`/proc/${pid}/status`, "VmRSS"),
    privateDirtyBytes: kilobytes(`/proc/${pid}/smaps_rollup`, "Private_Dirty"),
  };
}

/**
 * The CPU time process `pid` has used, all its threads, in clock ticks: `utime` + `stime`,
 * fields 14 and 15 of /proc/<pid>/stat (its children's time is not counted).
 */
export function cpuTicks(pid: number): number {
  const file = `/proc/${pid}/stat`;
  const stat = readFileSync(file, "utf8");
  // Field 2, the command name, is in parentheses and may hold spaces: count from its last ")".
  // What follows starts at field 3, so field n is at index n - 3.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isInteger(utime) || !Number.isInteger(stime)) {
    throw new Error(`cli-footprint: no utime and stime in ${file}: ${stat.trim()}`);
  }
  return utime + stime;
}

/** The pids whose parent is `pid` now (from each /proc/<pid>/stat's field 4). */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[4 - 3]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return children;
}

/** The arguments process `pid` runs with (/proc/<pid>/cmdline), undefined once it has gone. */
export function commandLine(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(0, -1);
  } catch {
    return undefined;
  }
}

/** Clock ticks per second (`getconf CLK_TCK`), 100 when getconf cannot say. */
export function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    if (Number.isInteger(ticks) && ticks > 0) return ticks;
  } catch {
    // No getconf: Linux's USER_HZ is 100 nearly everywhere.
  }
  return 100;
}
