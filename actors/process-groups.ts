/**
 * Process groups and processes as the OS shows them: start times, liveness of a group (zombies
 * apart), signals to a whole group. Linux reads /proc; elsewhere `ps` and `kill(-pgid, 0)`.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

export interface ProcStat {
  pid: number;
  state: string;
  /** The parent: init (or a subreaper) once the real parent has died. */
  ppid: number;
  pgrp: number;
  session: number;
  startTime: string;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
}

/**
 * The start time of process `pid` as the OS reports it, or undefined when there is no such
 * process. Linux: field 22 of /proc/<pid>/stat; elsewhere `ps -o lstart=`.
 *
 * @example
 * processStartTime(process.pid); // "64075"
 */
export function processStartTime(pid: number): string | undefined {
  if (!isProcessId(pid)) return undefined;
  if (procAvailable()) return readStat(pid)?.startTime;
  try {
    // Fixed locale and zone: a daylight-saving change must not make our process look foreign.
    const text = execFileSync("ps", ["-o", "lstart=", "-p", String(pid)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      env: { ...process.env, LC_ALL: "C", TZ: "UTC" },
      timeout: 5000,
    }).trim();
    return text === "" ? undefined : text;
  } catch {
    // ps exits 1 when there is no such process.
    return undefined;
  }
}

/**
 * Whether process group `pgid` has any member, zombies included (`kill(-pgid, 0)`; EPERM counts
 * as alive).
 *
 * @example
 * if (groupAlive(child.pid)) signalGroup(child.pid, "SIGKILL");
 */
export function groupAlive(pgid: number): boolean {
  assertGroupId(pgid);
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return errorCode(error) !== "ESRCH";
  }
}

/**
 * Whether process group `pgid` has a member that still runs. Unlike `groupAlive` it ignores
 * zombies, which linger when the process that should reap them does not (a container's init,
 * or a manager that is itself pid 1). Without /proc it is `groupAlive`.
 *
 * @example
 * while (groupRunning(pgid)) await sleep(25);
 */
export function groupRunning(pgid: number): boolean {
  return groupRunningIn(pgid, scanProcesses);
}

/**
 * Sends `signal` to every process of group `pgid`; false when the group is gone. Throws for
 * other failures (EPERM: the group is not ours) and for ids that would reach other groups.
 *
 * @example
 * signalGroup(child.pid, "SIGTERM");
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  assertGroupId(pgid);
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if (errorCode(error) === "ESRCH") return false;
    throw error;
  }
}

export function groupRunningIn(pgid: number, processes: () => ProcStat[]): boolean {
  if (!groupAlive(pgid)) return false;
  if (!procAvailable()) return true;
  // A running leader answers with one file; only a leaderless group needs the whole scan.
  const leader = readStat(pgid);
  if (leader && leader.pgrp === pgid && !isZombie(leader)) return true;
  return processes().some((entry) => entry.pgrp === pgid && !isZombie(entry));
}

export function scanProcesses(): ProcStat[] {
  if (!procAvailable()) return [];
  const processes: ProcStat[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) processes.push(stat);
  }
  return processes;
}

/** Process `pid` as /proc/<pid>/stat shows it; undefined when it is gone or there is no /proc. */
export function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    // ENOENT or ESRCH: the process is gone (or never was).
    return undefined;
  }
  // "pid (comm) state ppid pgrp session … starttime …": comm may hold spaces and ')'.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const [state, ppid, pgrp, session] = fields;
  const startTime = fields[19];
  if (state === undefined || session === undefined || startTime === undefined) return undefined;
  const cpuTicks = Number(fields[11]) + Number(fields[12]);
  return {
    pid,
    state,
    ppid: Number(ppid),
    pgrp: Number(pgrp),
    session: Number(session),
    startTime,
    cpuTicks,
  };
}

export function isZombie(entry: ProcStat): boolean {
  return entry.state === "Z" || entry.state === "X" || entry.state === "x";
}

export function isOwnGroup(pgid: number): boolean {
  return pgid === process.pid || pgid === readStat(process.pid)?.pgrp;
}

let procPresent: boolean | undefined;
export function procAvailable(): boolean {
  procPresent ??= readStat(process.pid) !== undefined;
  return procPresent;
}

let currentBootId: string | null | undefined;
export function bootId(): string | undefined {
  if (currentBootId === undefined) {
    try {
      currentBootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim() || null;
    } catch {
      // Not Linux: records carry no boot id and are judged by start time alone.
      currentBootId = null;
    }
  }
  return currentBootId ?? undefined;
}

/** 0, 1 and negative ids would signal the caller's own group or every process there is. */
function assertGroupId(pgid: number): void {
  if (!isProcessId(pgid) || pgid < 2) {
    throw new RangeError(`not a process group id warden may signal: ${pgid}`);
  }
}

export function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

export function isProcessId(pid: unknown): pid is number {
  return typeof pid === "number" && Number.isSafeInteger(pid) && pid > 0;
}
