/**
 * Processes a test started, so that they can all be killed after it whatever happened: groups
 * by group id, single processes by pid, each only if its start time is still the one seen when
 * it was added (a pid the system gave to someone else since is never signalled). Also reads the
 * `name:pid` lines that the test scripts print to say what they started.
 *
 * Reads /proc on its own, apart from actors/process-groups.ts: it is an oracle for it.
 */
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { afterEach } from "vitest";

/**
 * The one way tests clean up processes: call at the top of a test file; the returned set is
 * emptied with SIGKILL after each test, whatever the test left running.
 *
 * @example
 * const started = startedProcessesPerTest();
 * started.addGroup(child.pid!);
 */
export function startedProcessesPerTest(): StartedProcesses {
  const started = new StartedProcesses();
  afterEach(() => started.killAll());
  return started;
}

export class StartedProcesses {
  private readonly pids = new Map<number, string | undefined>();
  private readonly groups = new Set<number>();

  /** Kills `pid` after the test if it still runs with the same start time. */
  addPid(pid: number): number {
    assertSafeId(pid);
    this.pids.set(pid, startTimeOf(pid));
    return pid;
  }

  /** Kills process group `pgid` after the test. */
  addGroup(pgid: number): number {
    assertSafeId(pgid);
    this.groups.add(pgid);
    return pgid;
  }

  /** SIGKILL to every group and every process added; forgets them all. */
  killAll(): void {
    for (const pgid of this.groups) signal(-pgid);
    for (const [pid, startTime] of this.pids) {
      if (startTime !== undefined && startTimeOf(pid) === startTime) signal(pid);
    }
    this.groups.clear();
    this.pids.clear();
  }
}

/**
 * The `name:pid` lines `child` prints on stdout until `readyLines` lines `ready` (one for each
 * process of it that prints), as { name: pid }.
 *
 * @example
 * const pids = await printedPids(spawn("sh", ["-c", "sleep 9 & echo sleep:$!; echo ready"]));
 */
export async function printedPids(
  child: ChildProcess,
  readyLines = 1,
): Promise<Record<string, number>> {
  const found: Record<string, number> = {};
  let ready = 0;
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    if (line === "ready" && ++ready === readyLines) {
      lines.close();
      return found;
    }
    const match = /^([\w-]+):(\d+)$/.exec(line);
    if (match) found[match[1]!] = Number(match[2]);
  }
  throw new Error(`the process ended before it said ready; it printed ${JSON.stringify(found)}`);
}

/** Field 22 of /proc/<pid>/stat, or undefined when there is no such process. */
export function startTimeOf(pid: number): string | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** The state letter of process `pid` ("S", "T", "Z", …), or undefined when it is gone. */
export function stateOf(pid: number): string | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ")[0];
  } catch {
    return undefined;
  }
}

/**
 * A shell snippet that starts `sleep 1000` in a session of its own (it leaves its process group,
 * as a double-forking daemon does) and prints `<name>:<pid>` only once `setsid` has taken
 * effect, so that a test never sees it still in the group.
 *
 * @example
 * spawn("sh", ["-c", `${escapingSleep("escaped")}; echo ready; wait`]);
 */
export function escapingSleep(name: string): string {
  return (
    `setsid sleep 1000 & e=$!; ` +
    `until [ "$(cut -d' ' -f6 /proc/$e/stat 2>/dev/null)" = "$e" ]; do sleep 0.01; done; ` +
    `echo ${name}:$e`
  );
}

function signal(target: number): void {
  try {
    process.kill(target, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Never 0 or 1: kill(-0) is the test's own group, kill(-1) every process there is. */
function assertSafeId(id: number): void {
  if (!Number.isSafeInteger(id) || id <= 1) throw new RangeError(`not a pid to kill: ${id}`);
}
