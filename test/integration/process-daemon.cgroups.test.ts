/**
 * Cgroups made by the manager, with real processes, where this machine lets it make them (cgroup
 * v2 with a delegated subtree, or v1 as root: actors/cgroup-support.ts): `cpuPercent` becomes a
 * CPU quota the kernel enforces (it throttles a busy loop), `memoryMb` a memory limit the kernel
 * enforces (a process over it is killed, and that is a restart with reason `memory` even when the
 * sampler has not looked yet), and the cgroup finds and stops a double-forked process that left
 * its group, its parent and its WARDEN_INSTANCE marker behind, both at a stop and, through the
 * sentinel, when the manager is killed with SIGKILL. The cgroups are removed at close, and by the
 * sentinel after a SIGKILL.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cgroupSupport } from "../../actors/cgroup-support.ts";
import { CgroupTree, cgroupTreeFor } from "../../actors/cgroup-tree.ts";
import { isZombie, readStat } from "../../actors/process-groups.ts";
import { reapOrphans } from "../../actors/reap-orphans.ts";
import type { Envelope } from "../../machines/envelope.ts";
import { DaemonManager } from "../../runtime/manager/daemon-manager.ts";
import { QUICK_POLICY, eventually } from "../support/process-harness.ts";
import { repoRoot } from "../support/run-warden.ts";
import { printedPids, startedProcessesPerTest } from "../support/started-processes.ts";

const started = startedProcessesPerTest();

const support = cgroupSupport();
if (!support.enforced) {
  console.info(`cgroup enforcement tests skipped: ${support.reason}`);
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

function cgroupManager(memorySampleMs = 60_000): { manager: DaemonManager; events: Envelope[] } {
  const stateDir = mkdtempSync(join(tmpdir(), "warden-cgroups-"));
  const manager = new DaemonManager({ stateDir, captureEscapedErrors: false, memorySampleMs });
  const events: Envelope[] = [];
  manager.events$.subscribe((event) => events.push(event));
  cleanup = async () => {
    await manager.close();
    rmSync(stateDir, { recursive: true, force: true });
  };
  return { manager, events };
}

/**
 * The grandchild starts a session of its own, is reparented to init and drops its environment
 * (the WARDEN_INSTANCE marker with it): only the cgroup still knows it. It writes its pid to the
 * file given as the first argument.
 */
const DOUBLE_FORK = `sh -c 'setsid env -i sh -c "echo \\$\\$ > $0; exec sleep 300" "$1" &' "$0"; exec sleep 300`;

async function pidFrom(file: string): Promise<number> {
  return eventually(
    () => (existsSync(file) ? Number(readFileSync(file, "utf8")) || undefined : undefined),
    5_000,
    `a pid in ${file}`,
  );
}

function gone(pid: number): boolean {
  const left = readStat(pid);
  // Gone, or a zombie that init has yet to reap.
  return left === undefined || isZombie(left);
}

/** The daemon's cgroup directory that holds the cpu controller. */
function cpuDirOf(memoryDir: string): string {
  const parents = support.parents!;
  if ("unified" in parents) return memoryDir;
  return join(parents.cpu, memoryDir.slice(parents.memory.length));
}

function pidsIn(dir: string): number[] {
  return readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
}

function throttledPeriods(cpuDir: string): number {
  const stat = readFileSync(join(cpuDir, "cpu.stat"), "utf8");
  return Number(/^nr_throttled (\d+)$/m.exec(stat)?.[1] ?? 0);
}

describe.runIf(support.enforced)("process daemons in cgroups", () => {
  it("enforces cpuPercent: the quota is set and the kernel throttles a busy loop", async () => {
    const { manager } = cgroupManager();
    manager.register(
      "spinner",
      { command: "sh", args: ["-c", "while :; do :; done"], limits: { cpuPercent: 20 } },
      QUICK_POLICY,
    );
    await manager.start("spinner");
    const status = manager.statusOf("spinner").process!;
    expect(status.limits).toEqual({ cpuPercent: 20, unenforced: [] });
    const cpuDir = cpuDirOf(status.cgroup!);
    expect(pidsIn(status.cgroup!)).toContain(status.pid);
    const quota =
      support.version === "v2"
        ? readFileSync(join(cpuDir, "cpu.max"), "utf8").trim()
        : readFileSync(join(cpuDir, "cpu.cfs_quota_us"), "utf8").trim();
    expect(quota).toBe(support.version === "v2" ? "20000 100000" : "20000");
    await eventually(() => throttledPeriods(cpuDir) > 0 || undefined, 10_000, "throttling");
  });

  it("enforces memoryMb in the kernel: a process over it is killed, a restart with reason memory", async () => {
    // The sampler looks once a minute here: only the kernel can act in time.
    const { manager, events } = cgroupManager();
    const grower =
      "const held = []; setInterval(() => { held.push(Buffer.alloc(16 * 2 ** 20, 1)); }, 20);";
    manager.register(
      "grower",
      { command: process.execPath, args: ["-e", grower], limits: { memoryMb: 96 } },
      { ...QUICK_POLICY, backoff: { initialMs: 10, maxMs: 20, factor: 2 }, maxRestarts: 10 },
    );
    manager.register("neighbour", { command: "sleep", args: ["60"] }, QUICK_POLICY);
    await manager.startMany(["grower", "neighbour"]);
    const neighbourPid = manager.statusOf("neighbour").process!.pid;
    const memoryDir = manager.statusOf("grower").process!.cgroup!;
    const limitFile = support.version === "v2" ? "memory.max" : "memory.limit_in_bytes";
    expect(readFileSync(join(memoryDir, limitFile), "utf8").trim()).toBe(String(96 * 2 ** 20));
    const restarting = await eventually(
      () => events.find((event) => event.type === "DAEMON_RESTARTING"),
      15_000,
      "a restart",
    );
    expect(restarting.data).toMatchObject({ daemon: "grower", reason: "memory" });
    expect((restarting.data as { error: string }).error).toMatch(
      /^killed by the kernel: memory over limits\.memoryMb 96 \(cgroup .*grower\)$/,
    );
    expect(manager.statusOf("neighbour").process!.pid).toBe(neighbourPid);
    expect(manager.stateOf("neighbour")).toBe("RUNNING");
  });

  it("stops a double-forked process that left its group, its parent and its marker", async () => {
    const { manager } = cgroupManager();
    const pidFile = join(mkdtempSync(join(tmpdir(), "warden-escapee-")), "pid");
    manager.register("forker", { command: "sh", args: ["-c", DOUBLE_FORK, pidFile] }, QUICK_POLICY);
    await manager.start("forker");
    const escapee = started.addPid(await pidFrom(pidFile));
    const memoryDir = manager.statusOf("forker").process!.cgroup!;
    expect(pidsIn(memoryDir)).toContain(escapee);
    expect(readStat(escapee)?.ppid).not.toBe(manager.statusOf("forker").process!.pid);
    await manager.stop("forker");
    expect(gone(escapee)).toBe(true);
    await manager.close();
    expect(existsSync(memoryDir)).toBe(false);
    expect(existsSync(cpuDirOf(memoryDir))).toBe(false);
  });

  it("a manager killed with SIGKILL: the sentinel stops what is in the cgroups and removes them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "warden-cgroup-kill-"));
    const pidFile = join(dir, "escapee");
    const script = `
      const { DaemonManager } = await import(${JSON.stringify(join(repoRoot, "runtime/manager/daemon-manager.ts"))});
      const manager = new DaemonManager({ stateDir: ${JSON.stringify(join(dir, "state"))} });
      manager.register("forker", { command: "sh", args: ["-c", ${JSON.stringify(DOUBLE_FORK)}, ${JSON.stringify(pidFile)}] });
      await manager.start("forker");
      console.log(JSON.stringify(manager.statusOf("forker").process));
      setInterval(() => {}, 1000);`;
    const owner = spawn(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      {
        cwd: repoRoot,
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    started.addPid(owner.pid!);
    const status = await new Promise<{ pid: number; cgroup: string }>((resolve) => {
      let out = "";
      owner.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        out += chunk;
        if (out.includes("\n")) resolve(JSON.parse(out));
      });
    });
    started.addGroup(status.pid);
    const escapee = started.addPid(await pidFrom(pidFile));
    expect(pidsIn(status.cgroup)).toContain(escapee);
    owner.kill("SIGKILL");
    await eventually(() => (gone(escapee) && gone(status.pid)) || undefined, 10_000, "the stop");
    await eventually(() => !existsSync(status.cgroup) || undefined, 10_000, "the removal");
    expect(existsSync(cpuDirOf(status.cgroup))).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  it("kills what an earlier manager left in a daemon's cgroup before the first instance", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "warden-cgroup-leftover-"));
    const left: number[][] = [];
    const tree = cgroupTreeFor(stateDir)!;
    // What a manager killed before its sentinel could act leaves: a process in the cgroup.
    const cgroup = tree.acquire("worker", {})!;
    const leftover = spawn("sleep", ["300"], { stdio: "ignore", detached: true });
    started.addPid(leftover.pid!);
    cgroup.adopt(leftover.pid!);
    const again = new CgroupTree(support, tree.name);
    again.acquire("worker", {}, (pids) => left.push(pids));
    expect(left).toEqual([[leftover.pid]]);
    await eventually(() => gone(leftover.pid!) || undefined, 5_000, "the leftover gone");
    again.release("worker");
    expect(cgroup.dirs.some((dir) => existsSync(dir))).toBe(false);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("the next start's reaping kills what a manager without a sentinel left in its cgroups, and removes them", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "warden-cgroup-reap-"));
    const pidFile = join(stateDir, "escapee");
    // A bare process driver in a process of its own (no sentinel), killed as a manager would be.
    const script = `${DOUBLE_FORK.replace(/; exec sleep 300$/, "")}; echo ready; exec sleep 300`;
    const owner = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(repoRoot, "test/support/process-owner.ts"),
        stateDir,
        "forker",
        "sh",
        "-c",
        script,
        pidFile,
      ],
      { cwd: repoRoot, detached: true, stdio: ["ignore", "pipe", "inherit"] },
    );
    started.addGroup(owner.pid!);
    const { leader } = await printedPids(owner);
    started.addGroup(leader!);
    const escapee = started.addPid(await pidFrom(pidFile));
    const tree = cgroupTreeFor(stateDir)!;
    const dirs = tree.dirs.map((dir) => join(dir, "forker"));
    expect(pidsIn(dirs[0]!)).toEqual(expect.arrayContaining([leader, escapee]));
    owner.kill("SIGKILL");
    const outcomes = await reapOrphans(join(stateDir, "pids"), { graceMs: 1_000 });
    // The record names the leader's group; only the cgroup still knew the escapee.
    expect(outcomes).toContainEqual({ daemon: "forker", pid: escapee, action: "killed" });
    expect(gone(escapee) && gone(leader!)).toBe(true);
    for (const dir of [...dirs, ...tree.dirs]) expect(existsSync(dir)).toBe(false);
    rmSync(stateDir, { recursive: true, force: true });
  });
});
