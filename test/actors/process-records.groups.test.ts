/**
 * What process records rely on in actors/process-groups.ts: the start time of a process read
 * from /proc, and signalling and probing process groups. Real processes; Linux only.
 */
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { chmodSync, copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { groupAlive, processStartTime, signalGroup } from "../../actors/process-groups.ts";
import { eventually, processRecordsPerTest } from "../support/process-records-setup.ts";

let dir: string;
const { spawnGroup } = processRecordsPerTest((folder) => (dir = folder));

describe.skipIf(process.platform !== "linux")("processStartTime and groups", () => {
  it("reads the start time of a process whose name holds spaces and ')'", async () => {
    const program = join(dir, "a) b) c");
    copyFileSync("/bin/sleep", program);
    chmodSync(program, 0o755);
    const { pid } = spawnGroup(program, ["1000"]);
    await eventually(() => readFileSync(`/proc/${pid}/stat`, "utf8").includes("(a) b) c)"), "exec");

    const startTime = processStartTime(pid);

    // Field 22 lies between this test process's start and now, in clock ticks since boot.
    const ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }));
    const uptimeTicks = Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]) * ticksPerSecond;
    expect(startTime).toMatch(/^\d+$/);
    expect(Number(startTime)).toBeGreaterThanOrEqual(Number(processStartTime(process.pid)));
    expect(Number(startTime)).toBeLessThanOrEqual(uptimeTicks + 1);
  });

  it("says undefined for processes that do not exist and for ids that are not pids", async () => {
    const { child, pid } = spawnGroup("true", []);
    await once(child, "exit");
    expect(processStartTime(pid)).toBeUndefined();
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(processStartTime(bad)).toBeUndefined();
  });

  it("signals and probes groups without throwing for gone ones", async () => {
    const { child, pid } = spawnGroup("sleep", ["1000"]);
    expect(groupAlive(pid)).toBe(true);
    expect(signalGroup(pid, "SIGTERM")).toBe(true);
    await once(child, "exit");
    expect(groupAlive(pid)).toBe(false);
    expect(signalGroup(pid, "SIGTERM")).toBe(false);
    // 1 and 0 would reach every process or this test's own group.
    expect(() => groupAlive(1)).toThrow(RangeError);
    expect(() => signalGroup(0, "SIGCONT")).toThrow(RangeError);
  });
});
