/**
 * What runs on this machine, read from /proc (Linux only), to check that nothing outlives a
 * manager: the descendants of a process and the members of a process group. Zombies are left
 * out: they have exited and only wait to be reaped (which a container's init may do late).
 *
 * Kept apart from actors/process-records.ts on purpose: it is the independent oracle for it.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";

interface ProcessEntry {
  pid: number;
  ppid: number;
  pgrp: number;
}

/**
 * Every running process below `pid` (children, grandchildren, …), not `pid` itself, by pid.
 * A process whose parent died has been reparented and is no longer a descendant: take this
 * list before killing the parent.
 *
 * @example
 * const before = descendantsOf(manager.pid);
 * manager.kill("SIGKILL"); // … start the next manager and let it reap …
 * expect(stillRunning(before)).toEqual([]);
 */
export function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of runningProcesses()) {
    const siblings = children.get(entry.ppid) ?? [];
    siblings.push(entry.pid);
    children.set(entry.ppid, siblings);
  }
  const found: number[] = [];
  const queue = [...(children.get(pid) ?? [])];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    found.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return found.sort((a, b) => a - b);
}

/**
 * Every running process whose process group is `pgid`, by pid.
 *
 * @example
 * const child = spawn("sh", ["-c", "sleep 9 & sleep 9 & wait"], { detached: true });
 * processesInGroup(child.pid); // [sh, sleep, sleep] once both have started
 */
export function processesInGroup(pgid: number): number[] {
  return runningProcesses()
    .filter((entry) => entry.pgrp === pgid)
    .map((entry) => entry.pid)
    .sort((a, b) => a - b);
}

/**
 * The pids of `pids` that still run (zombies do not).
 *
 * @example
 * await eventually(() => stillRunning(before).length === 0, 5000, "the orphans to end");
 */
export function stillRunning(pids: readonly number[]): number[] {
  const running = new Set(runningProcesses().map((entry) => entry.pid));
  return pids.filter((pid) => running.has(pid));
}

function runningProcesses(): ProcessEntry[] {
  if (!existsSync("/proc/self/stat")) {
    throw new Error("test/support/orphans.ts reads /proc, which this system does not have");
  }
  const entries: ProcessEntry[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      // The process ended between the listing and the read.
      continue;
    }
    // "pid (comm) state ppid pgrp …": comm may contain spaces and ')', so split after the last ')'.
    const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (state === "Z" || state === "X" || state === "x") continue;
    entries.push({ pid: Number(name), ppid: Number(ppid), pgrp: Number(pgrp) });
  }
  return entries;
}
