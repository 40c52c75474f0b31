/**
 * What a live process costs, as Linux's /proc tells it: CPU time from `/proc/<pid>/stat`
 * (utime + stime, in clock ticks) and resident memory from `/proc/<pid>/statm` (in pages).
 * Without /proc (macOS, a container that hides it) there is nothing to read: undefined.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { isZombie, readStat } from "./process-groups.ts";

/** CPU time and resident memory of one process. */
export interface ProcessUsage {
  /** User plus system CPU time since the process started. */
  cpuSeconds: number;
  /** Resident set size. */
  residentBytes: number;
}

/** Linux's usual values, for a system without `getconf`. */
const DEFAULT_CLOCK_TICKS_PER_SECOND = 100;
const DEFAULT_PAGE_SIZE_BYTES = 4096;
const GETCONF_TIMEOUT_MS = 2000;

/** Field of /proc/<pid>/statm: resident pages. */
const RESIDENT_PAGES_FIELD = 1;

let clockTicksPerSecond: number | undefined;
let pageSizeBytes: number | undefined;

/**
 * CPU time and resident memory of the live process `pid`, or undefined when it is gone (a
 * zombie included), when `pid` is not a positive integer, or when /proc is missing. Never throws.
 *
 * @example
 * processUsage(process.pid); // { cpuSeconds: 0.42, residentBytes: 61_440_000 }
 * processUsage(999_999_999); // undefined
 */
export function processUsage(pid: number): ProcessUsage | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  const stat = readStat(pid);
  // A zombie has ended: its CPU time is final and its memory is gone.
  if (stat === undefined || isZombie(stat)) return undefined;
  const statm = readStatm(pid);
  if (statm === undefined) return undefined;
  const ticks = stat.cpuTicks;
  const residentPages = Number(statm.trim().split(/\s+/)[RESIDENT_PAGES_FIELD]);
  if (!Number.isFinite(ticks) || !Number.isFinite(residentPages)) return undefined;
  clockTicksPerSecond ??= systemValue("CLK_TCK", DEFAULT_CLOCK_TICKS_PER_SECOND);
  pageSizeBytes ??= systemValue("PAGESIZE", DEFAULT_PAGE_SIZE_BYTES);
  return { cpuSeconds: ticks / clockTicksPerSecond, residentBytes: residentPages * pageSizeBytes };
}

function readStatm(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/statm`, "utf8");
  } catch {
    // ENOENT or ESRCH: the process is gone, or there is no /proc at all.
    return undefined;
  }
}

/** A positive integer from `getconf NAME`, or `fallback` when getconf is missing or says no. */
function systemValue(name: string, fallback: number): number {
  try {
    const output = execFileSync("getconf", [name], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: GETCONF_TIMEOUT_MS,
    });
    const value = Number(output.trim());
    return Number.isSafeInteger(value) && value > 0 ? value : fallback;
  } catch {
    // No getconf on this system: Linux's usual value is the best guess.
    return fallback;
  }
}
