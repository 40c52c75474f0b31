/**
 * Descendants that leave the process group (SPEC §13: `setsid()` in a grandchild, the double fork
 * of legacy daemons) are stopped with their daemon: at a stop, and by the next start's orphan
 * reaping when the manager was killed with SIGKILL. Real processes; Linux only (/proc).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { reapOrphans } from "../../actors/reap-orphans.ts";
import { processesInGroup, stillRunning } from "../support/orphans.ts";
import { eventually, processManagerPerTest, QUICK_POLICY } from "../support/process-harness.ts";
import { printedPids, StartedProcesses } from "../support/started-processes.ts";

const repoRoot = new URL("../..", import.meta.url).pathname;
const setup = processManagerPerTest();
const started = new StartedProcesses();
let scratch: string;

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "warden-escaped-"));
});

afterEach(() => {
  started.killAll();
  rmSync(scratch, { recursive: true, force: true });
});

/**
 * A shell daemon that leaves two sleeps outside its group: one by `setsid` (its parent, the
 * daemon, lives on), one by a double fork (its parent exits at once; init adopts it). Their
 * pids go to files in `scratch`, read back by `escapees()`.
 */
function legacyScript(leader: "wait" | "exec sleep 1000"): string {
  return [
    `setsid sleep 1000 & echo $! > ${scratch}/setsid.pid`,
    `setsid sh -c 'sleep 1000 & echo $! > ${scratch}/forked.pid'`,
    "echo ready",
    leader,
  ].join("\n");
}

function escapees(): number[] {
  return ["setsid", "forked"].map((name) =>
    started.addPid(Number(readFileSync(join(scratch, `${name}.pid`), "utf8"))),
  );
}

/**
 * A legacy (double-forking) daemon run by a process-daemon driver in a separate owner process
 * (test/support/process-owner.ts), so that the owner can be killed as a manager would be.
 */
async function ownedLegacyDaemon(stateDir: string) {
  const owner = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(repoRoot, "test/support/process-owner.ts"),
      stateDir,
      "legacy",
      "sh",
      "-c",
      legacyScript("wait"),
    ],
    { detached: true, stdio: ["ignore", "pipe", "inherit"] },
  );
  started.addGroup(owner.pid!);
  const { leader } = await printedPids(owner);
  started.addGroup(leader!);
  return { owner, leader };
}

describe.skipIf(process.platform !== "linux")("descendants outside the process group", () => {
  it("are stopped with their daemon, which ends only once they are gone", async () => {
    const { manager } = setup();
    manager.register(
      "legacy",
      { command: "sh", args: ["-c", legacyScript("wait")], ready: { stdout: "^ready$" } },
      QUICK_POLICY,
    );
    await manager.start("legacy");
    const leader = started.addGroup(manager.statusOf("legacy").process!.pid!);
    const outside = escapees();
    expect(stillRunning(outside)).toEqual(outside);
    expect(processesInGroup(leader)).toEqual([leader]);

    await manager.stop("legacy");

    expect(stillRunning(outside)).toEqual([]);
    expect(manager.statusOf("legacy").state).toBe("STOPPED");
  });

  it("are stopped when the daemon's leader exits on its own, as the rest of its group is", async () => {
    const { manager } = setup();
    manager.register(
      "quitter",
      {
        command: "sh",
        args: ["-c", legacyScript("exec sleep 1000")],
        ready: { stdout: "^ready$" },
      },
      { ...QUICK_POLICY, restart: "never" },
    );
    await manager.start("quitter");
    const leader = started.addGroup(manager.statusOf("quitter").process!.pid!);
    const outside = escapees();

    process.kill(leader, "SIGTERM");

    await eventually(() => stillRunning(outside).length === 0, 10_000, "the escapees to end");
  });

  it("are reaped at the next start after the manager was killed with SIGKILL", async () => {
    const stateDir = join(scratch, "state");
    const { owner, leader } = await ownedLegacyDaemon(stateDir);
    const outside = escapees();

    owner.kill("SIGKILL");
    await once(owner, "exit");
    // What stops the groups of a dead manager (its sentinel) reaches the group, not the escapees.
    process.kill(-leader!, "SIGKILL");
    await eventually(() => processesInGroup(leader!).length === 0, 5_000, "the group to end");
    expect(stillRunning(outside)).toEqual(outside);

    const problems: string[] = [];
    const outcomes = await reapOrphans(join(stateDir, "pids"), {
      graceMs: 2_000,
      onProblem: (message) => problems.push(message),
    });

    expect(stillRunning(outside)).toEqual([]);
    expect(outcomes).toEqual([
      {
        daemon: "legacy",
        pid: leader,
        action: "stopped",
        escaped: [...outside].sort((a, b) => a - b),
      },
    ]);
    expect(problems).toEqual([]);
  });

  it("are reaped with the group when it still runs", async () => {
    const stateDir = join(scratch, "state");
    const { owner, leader } = await ownedLegacyDaemon(stateDir);
    const outside = escapees();
    owner.kill("SIGKILL");
    await once(owner, "exit");

    const outcomes = await reapOrphans(join(stateDir, "pids"), { graceMs: 2_000 });

    expect(outcomes).toMatchObject([{ daemon: "legacy", pid: leader, action: "stopped" }]);
    expect(stillRunning([leader!, ...outside])).toEqual([]);
  });
});
