/**
 * The set-up shared by the process records tests (test/actors/process-records.*.test.ts): a
 * fresh records folder for each test, process groups started as warden starts them and killed
 * after the test whatever happened, records of them, and the pids that children print.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import { processStartTime } from "../../actors/process-groups.ts";
import { recordProcess, type ProcessRecord } from "../../actors/process-records.ts";
import { StartedProcesses } from "./started-processes.ts";

export interface ProcessRecordsSetup {
  /** Process groups and pids to SIGKILL after the test. */
  started: StartedProcesses;
  /** Runs `command` as the leader of a new process group (and session), as warden does. */
  spawnGroup(
    command: string,
    args: string[],
    stdio?: "ignore" | "pipe",
  ): { child: ChildProcess; pid: number };
  /** Records the running process `pid` as `daemon`'s, with its start time, in the test's folder. */
  record(daemon: string, pid: number): ProcessRecord;
}

/**
 * Call once at the top of a test file: before each test, `onFolder` gets that test's new, empty
 * records folder; after it, what it started is killed (first) and the folder removed.
 *
 * @example
 * let dir: string;
 * const { spawnGroup, record } = processRecordsPerTest((folder) => (dir = folder));
 */
export function processRecordsPerTest(onFolder: (dir: string) => void): ProcessRecordsSetup {
  const started = new StartedProcesses();
  let dir: string | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "warden-pids-"));
    onFolder(dir);
  });
  afterEach(() => {
    started.killAll();
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  return {
    started,
    spawnGroup(command, args, stdio = "ignore") {
      const child = spawn(command, args, { detached: true, stdio });
      if (child.pid === undefined) throw new Error(`could not spawn ${command}`);
      started.addGroup(child.pid);
      return { child, pid: child.pid };
    },
    record(daemon, pid) {
      if (dir === undefined) throw new Error("record() outside a test");
      const startTime = processStartTime(pid);
      if (startTime === undefined) throw new Error(`process ${pid} is not running`);
      const entry = recordOf(daemon, pid, startTime);
      recordProcess(dir, entry);
      return entry;
    },
  };
}

export function recordOf(daemon: string, pid: number, startTime: string): ProcessRecord {
  return { daemon, pid, startTime, command: "sh", recordedAt: new Date().toISOString() };
}

export async function eventually(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function firstLine(child: ChildProcess): Promise<string> {
  let text = "";
  for await (const chunk of child.stdout!) {
    text += String(chunk);
    if (text.includes("\n")) return text.slice(0, text.indexOf("\n"));
  }
  throw new Error(`the process ended before writing a line: ${JSON.stringify(text)}`);
}

/** A pid printed by a child; never 0 or 1, which would make the cleanup signal far too much. */
export async function printedPid(child: ChildProcess): Promise<number> {
  const line = await firstLine(child);
  const pid = Number(line);
  if (!Number.isInteger(pid) || pid <= 1)
    throw new Error(`expected a pid, got ${JSON.stringify(line)}`);
  return pid;
}
