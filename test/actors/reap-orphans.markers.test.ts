/**
 * The orphan reaping of a start finds what left a recorded group by the WARDEN_INSTANCE marker
 * of the record, and only by it: a process with another marker, or none, is never touched, even
 * when the recorded pid now belongs to someone else. Real processes; Linux only (/proc).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { INSTANCE_ENV, newInstanceId } from "../../actors/process-descendants.ts";
import { processStartTime } from "../../actors/process-groups.ts";
import { readRecords, recordProcess } from "../../actors/process-records.ts";
import { reapOrphans } from "../../actors/reap-orphans.ts";
import { stillRunning } from "../support/orphans.ts";
import { printedPids, StartedProcesses } from "../support/started-processes.ts";
import { escapingSleep } from "../support/started-processes.ts";

const started = new StartedProcesses();
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "warden-reap-markers-"));
});

afterEach(() => {
  started.killAll();
  rmSync(dir, { recursive: true, force: true });
});

/** `script` by `sh -c` as a group leader, marked with `id` when given; its `name:pid` lines. */
async function group(script: string, id?: string) {
  const child = spawn("sh", ["-c", script], {
    detached: true,
    stdio: ["ignore", "pipe", "ignore"],
    env: { ...process.env, ...(id === undefined ? {} : { [INSTANCE_ENV]: id }) },
  });
  const pgid = started.addGroup(child.pid!);
  const pids = await printedPids(child);
  for (const pid of Object.values(pids)) started.addPid(pid);
  return { pgid, pids };
}

function record(daemon: string, pid: number, startTime: string, instanceId?: string): void {
  recordProcess(dir, {
    daemon,
    pid,
    startTime,
    command: "sh",
    recordedAt: new Date().toISOString(),
    ...(instanceId === undefined ? {} : { instanceId }),
  });
}

const escapeScript = `${escapingSleep("escaped")}; echo ready; exec sleep 1000`;

describe.skipIf(process.platform !== "linux")("reapOrphans and instance markers", () => {
  it("stops the marked escapees of a group whose pid was reused, and nothing else", async () => {
    const id = newInstanceId();
    const ours = await group(escapeScript, id);
    // Our leader is gone; its pid is recorded with a start time it never had, as when another
    // process took the pid over.
    process.kill(ours.pgid, "SIGKILL");
    const stranger = await group(escapeScript, newInstanceId());
    const unmarked = await group(escapeScript);
    record("reused", stranger.pgid, "1", id);

    const outcomes = await reapOrphans(dir, { graceMs: 2_000 });

    expect(outcomes).toEqual([
      { daemon: "reused", pid: stranger.pgid, action: "stopped", escaped: [ours.pids.escaped] },
    ]);
    expect(stillRunning([ours.pids.escaped!])).toEqual([]);
    const others = [stranger.pgid, stranger.pids.escaped!, unmarked.pgid, unmarked.pids.escaped!];
    expect(stillRunning(others)).toEqual(others);
    expect(readRecords(dir).records).toEqual([]);
  });

  it("reads records without a marker (older managers) and reaps their group as before", async () => {
    const { pgid, pids } = await group(`${escapingSleep("escaped")}; echo ready; wait`);
    record("old", pgid, processStartTime(pgid)!);

    const outcomes = await reapOrphans(dir, { graceMs: 2_000 });

    // The escapee's parent was alive: the tree below the group found it without a marker.
    expect(outcomes).toEqual([
      { daemon: "old", pid: pgid, action: "stopped", escaped: [pids.escaped] },
    ]);
    expect(stillRunning([pgid, pids.escaped!])).toEqual([]);
  });

  it("reports a record whose group and marked processes are all gone as gone", async () => {
    record("ended", 999_999_999, "1", newInstanceId());
    expect(await reapOrphans(dir)).toEqual([{ daemon: "ended", pid: 999_999_999, action: "gone" }]);
  });
});
