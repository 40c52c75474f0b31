/**
 * reapOrphans stops what the records name: whole process groups, with SIGTERM and then SIGKILL
 * after the grace period, also when the leader has exited. Real processes; Linux only (/proc).
 */
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { groupAlive, processStartTime } from "../../actors/process-groups.ts";
import { readRecords } from "../../actors/process-records.ts";
import { reapOrphans, type ReapOutcome } from "../../actors/reap-orphans.ts";
import { processesInGroup } from "../support/orphans.ts";
import { eventually, processRecordsPerTest } from "../support/process-records-setup.ts";

let dir: string;
const { spawnGroup, record } = processRecordsPerTest((folder) => (dir = folder));

describe.skipIf(process.platform !== "linux")("reapOrphans", () => {
  it("stops a recorded group with SIGTERM: leader and grandchildren", async () => {
    const { pid } = spawnGroup("sh", ["-c", "sleep 1000 & sleep 1000 & wait"]);
    await eventually(() => processesInGroup(pid).length === 3, "sh and two sleeps");
    const members = processesInGroup(pid);
    record("web", pid);
    const seen: ReapOutcome[] = [];

    const outcomes = await reapOrphans(dir, { onOutcome: (outcome) => seen.push(outcome) });

    expect(outcomes).toEqual([{ daemon: "web", pid, action: "stopped" }]);
    expect(seen).toEqual(outcomes);
    expect(processesInGroup(pid)).toEqual([]);
    expect(readRecords(dir)).toEqual({ records: [], problems: [] });
    // Zombies of the grandchildren linger until init reaps them; then the group is empty.
    await eventually(() => !groupAlive(pid), "the group to be empty", 10_000);
    for (const member of members) expect(processStartTime(member)).toBeUndefined();
  });

  it("kills groups that ignore SIGTERM after graceMs, all records in parallel", async () => {
    const script = "trap '' TERM; sleep 1000 & wait";
    const first = spawnGroup("sh", ["-c", script]);
    const second = spawnGroup("sh", ["-c", script]);
    await eventually(
      () => processesInGroup(first.pid).length === 2 && processesInGroup(second.pid).length === 2,
      "both groups to start",
    );
    record("stubborn-1", first.pid);
    record("stubborn-2", second.pid);

    const started = Date.now();
    const outcomes = await reapOrphans(dir, { graceMs: 1500 });
    const elapsed = Date.now() - started;

    expect(outcomes).toEqual([
      { daemon: "stubborn-1", pid: first.pid, action: "killed" },
      { daemon: "stubborn-2", pid: second.pid, action: "killed" },
    ]);
    expect(processesInGroup(first.pid)).toEqual([]);
    expect(processesInGroup(second.pid)).toEqual([]);
    // Each group gets its full grace period; one after the other would take 3,000 ms or more.
    // The margin is wide on purpose: this tells parallel from serial, it does not time anything.
    expect(elapsed).toBeGreaterThanOrEqual(1500);
    expect(elapsed).toBeLessThan(3000);
  });

  it("kills what is left in the group when the leader has exited", async () => {
    const { child, pid } = spawnGroup("sh", ["-c", "sleep 1000 & read line"], "pipe");
    await eventually(() => processesInGroup(pid).length === 2, "sh and sleep");
    record("leaderless", pid);
    child.stdin!.end("\n");
    await once(child, "exit");
    expect(processStartTime(pid)).toBeUndefined();
    expect(processesInGroup(pid)).toHaveLength(1);

    const outcomes = await reapOrphans(dir);

    expect(outcomes).toEqual([{ daemon: "leaderless", pid, action: "stopped" }]);
    expect(processesInGroup(pid)).toEqual([]);
  });
});
