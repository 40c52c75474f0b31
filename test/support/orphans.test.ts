import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { descendantsOf, processesInGroup, stillRunning } from "./orphans.ts";
import { startedProcessesPerTest } from "./started-processes.ts";

const started = startedProcessesPerTest();

async function eventually(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.skipIf(process.platform !== "linux")("orphans", () => {
  it("finds the descendants of a process and the members of its group", async () => {
    // sh → (sh → sleep) and sh → sleep: a grandchild two levels down.
    const child = spawn("sh", ["-c", "sh -c 'sleep 1000 & wait' & sleep 1000 & wait"], {
      detached: true,
      stdio: "ignore",
    });
    const pid = child.pid!;
    started.addGroup(pid);
    await eventually(() => descendantsOf(pid).length === 3, "three descendants");

    const below = descendantsOf(pid);
    expect(below).not.toContain(pid);
    expect(descendantsOf(process.pid)).toEqual(expect.arrayContaining([pid, ...below]));
    expect(processesInGroup(pid)).toEqual([pid, ...below].sort((a, b) => a - b));
    expect(stillRunning([pid, ...below])).toEqual([pid, ...below]);

    process.kill(-pid, "SIGKILL");
    await once(child, "exit");
    // Zombies of the reparented grandchildren do not count: they no longer run.
    await eventually(() => processesInGroup(pid).length === 0, "the group to end");
    expect(stillRunning([pid, ...below])).toEqual([]);
    expect(descendantsOf(pid)).toEqual([]);
  });

  it("loses orphans from the descendants once their parent dies, not from the group", async () => {
    const child = spawn("sh", ["-c", "sleep 1000 & read line"], {
      detached: true,
      stdio: ["pipe", "ignore", "ignore"],
    });
    const pid = child.pid!;
    started.addGroup(pid);
    await eventually(() => descendantsOf(pid).length === 1, "the sleep");
    const [sleep] = descendantsOf(pid);

    child.stdin!.end("\n");
    await once(child, "exit");

    expect(descendantsOf(process.pid)).not.toContain(sleep);
    expect(processesInGroup(pid)).toEqual([sleep]);
    expect(stillRunning([sleep!])).toEqual([sleep]);
  });
});
