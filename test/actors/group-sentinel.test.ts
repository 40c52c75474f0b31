/**
 * The sentinel stops process groups when the process that owns it dies without a word (SIGKILL),
 * and leaves them alone when its owner says goodbye. The "owner" here is a small Node program,
 * so that the test process itself is never the one killed.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { processesInGroup, stillRunning } from "../support/orphans.ts";
import { eventually } from "../support/process-harness.ts";
import { repoRoot } from "../support/run-warden.ts";
import { startedProcessesPerTest } from "../support/started-processes.ts";

const started = startedProcessesPerTest();

/**
 * Starts an owner with a sentinel guarding two `sleep` groups, one of which has a grandchild
 * that left the group with setsid (it carries the instance's marker); resolves with their ids.
 */
function owner(farewell: boolean) {
  const script = `
    const { spawn } = await import("node:child_process");
    const { GroupSentinel } = await import(${JSON.stringify(join(repoRoot, "actors/group-sentinel.ts"))});
    const sentinel = new GroupSentinel();
    const ids = [];
    for (let i = 0; i < 2; i++) {
      const instanceId = "0123456789abcdef" + i;
      const child = spawn("sh", ["-c", i === 0 ? "setsid sleep 1000 & exec sleep 1000" : "exec sleep 1000"], {
        detached: true, stdio: "ignore", env: { ...process.env, WARDEN_INSTANCE: instanceId },
      });
      child.unref();
      sentinel.add({ pgid: child.pid, instanceId });
      ids.push(child.pid);
    }
    // An instance the sentinel was told about and then told to forget must stay untouched.
    const kept = spawn("sleep", ["1000"], { detached: true, stdio: "ignore" });
    kept.unref();
    sentinel.add({ pgid: kept.pid, instanceId: "feed" });
    sentinel.remove({ pgid: kept.pid, instanceId: "feed" });
    const sentinelPid = sentinel.pid;
    if (${farewell}) sentinel.close();
    console.log(JSON.stringify({ ids, kept: kept.pid, sentinelPid }));
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const started = new Promise<{ ids: number[]; kept: number; sentinelPid: number }>((resolve) => {
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      if (out.includes("\n")) resolve(JSON.parse(out));
    });
  });
  return { child, exited, started };
}

/** The `sleep` that left group `pgid` with setsid: the process carrying its marker. */
async function escapee(): Promise<number> {
  return eventually(
    () => {
      for (const entry of readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
          const environ = readFileSync(`/proc/${entry}/environ`, "utf8");
          const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
          const session = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[3]);
          if (
            environ.includes("WARDEN_INSTANCE=0123456789abcdef0\0") &&
            session === Number(entry)
          ) {
            return Number(entry);
          }
        } catch {
          // gone, or not readable
        }
      }
      return undefined;
    },
    5_000,
    "the setsid grandchild",
  );
}

describe("GroupSentinel", () => {
  it.runIf(process.platform === "linux")(
    "stops the groups it guards once its owner is killed with SIGKILL",
    async () => {
      const run = owner(false);
      const { ids, kept } = await run.started;
      [...ids, kept].forEach((pgid) => started.addGroup(pgid));
      const escaped = await escapee();
      started.addGroup(escaped);
      for (const id of ids) expect(processesInGroup(id)).toEqual([id]);
      run.child.kill("SIGKILL");
      await run.exited;
      await eventually(
        () => (ids.every((id) => processesInGroup(id).length === 0) ? true : undefined),
        10_000,
        "the guarded groups to be stopped",
      );
      await eventually(
        () => stillRunning([escaped]).length === 0 || undefined,
        10_000,
        "the escaped grandchild to be stopped",
      );
      expect(processesInGroup(kept)).toEqual([kept]);
    },
  );

  it.runIf(process.platform === "linux")(
    "leaves everything alone after its owner's farewell",
    async () => {
      const run = owner(true);
      const { ids, kept, sentinelPid } = await run.started;
      [...ids, kept].forEach((pgid) => started.addGroup(pgid));
      const escaped = await escapee();
      started.addGroup(escaped);
      run.child.kill("SIGKILL");
      await run.exited;
      // A sentinel that had not read "bye" would send SIGTERM before it exits.
      await eventually(
        () => (stillRunning([sentinelPid]).length === 0 ? true : undefined),
        10_000,
        "the sentinel to leave",
      );
      for (const id of ids) expect(processesInGroup(id)).toEqual([id]);
      expect(stillRunning([escaped])).toEqual([escaped]);
    },
  );
});
