/**
 * `limits` of process daemons with real processes (SPEC §6a): a process that grows past
 * `memoryMb` is restarted with reason `memory`, counted, its latest measurement in status; `nice`
 * is applied at spawn (field 19 of /proc/<pid>/stat); `cpuPercent` without a cgroup warden may
 * create is reported unenforced in status. Memory is sampled every 50 ms here.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, onTestFinished } from "vitest";
import { redetectCgroups } from "../../actors/cgroup-support.ts";
import type { Envelope } from "../../machines/envelope.ts";
import { DaemonManager } from "../../runtime/manager/daemon-manager.ts";
import { QUICK_POLICY, eventually } from "../support/process-harness.ts";

const onLinux = process.platform === "linux";

/** Grows by 16 MiB of touched memory every 50 ms, up to 480 MiB. */
const GROWER = [
  "-e",
  "const held = []; setInterval(() => { if (held.length < 30) held.push(Buffer.alloc(16 * 2 ** 20, 1)); }, 50);",
];

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

function limitedManager(): { manager: DaemonManager; events: Envelope[] } {
  const stateDir = mkdtempSync(join(tmpdir(), "warden-limits-"));
  const manager = new DaemonManager({ stateDir, captureEscapedErrors: false, memorySampleMs: 50 });
  const events: Envelope[] = [];
  manager.events$.subscribe((event) => events.push(event));
  cleanup = async () => {
    await manager.close();
    rmSync(stateDir, { recursive: true, force: true });
  };
  return { manager, events };
}

/** For this test, the manager may create no cgroups (the reason: "no cgroups here"). */
function withoutCgroups(): void {
  redetectCgroups({
    version: "none",
    delegated: false,
    enforced: false,
    reason: "no cgroups here",
  });
  onTestFinished(() => redetectCgroups());
}

/** Field 19 of /proc/<pid>/stat: the niceness. */
function niceOf(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(text.slice(text.lastIndexOf(")") + 2).split(" ")[16]);
}

describe.runIf(onLinux)("process daemon limits", () => {
  it("restarts a daemon over memoryMb with reason memory, counted, and shows its memory", async () => {
    // The sampler alone: with a cgroup the kernel would act first (process-daemon.cgroups.test.ts).
    withoutCgroups();
    const { manager, events } = limitedManager();
    manager.register(
      "grower",
      { command: process.execPath, args: GROWER, limits: { memoryMb: 150 } },
      { ...QUICK_POLICY, backoff: { initialMs: 10, maxMs: 20, factor: 2 }, maxRestarts: 10 },
    );
    manager.register("neighbour", { command: "sleep", args: ["60"] }, QUICK_POLICY);
    await manager.startMany(["grower", "neighbour"]);
    const neighbourPid = manager.statusOf("neighbour").process?.pid;
    await eventually(() => manager.statusOf("grower").process?.memory, 5_000, "a measurement");
    const restarting = await eventually(
      () => events.find((e) => e.type === "DAEMON_RESTARTING"),
      15_000,
      "DAEMON_RESTARTING",
    );
    const data = restarting.data as { reason: string; error?: string };
    expect(data.reason).toBe("memory");
    expect(data.error).toMatch(
      /^memory \d+\.\d MiB over limits\.memoryMb 150 \(process group \d+\)$/,
    );
    await manager.waitFor("grower", "RUNNING", 10_000);
    const status = manager.statusOf("grower");
    expect(status.restarts).toBeGreaterThanOrEqual(1);
    expect(status.process?.limits).toMatchObject({ memoryMb: 150, unenforced: [] });
    // Its neighbour was left alone.
    expect(manager.statusOf("neighbour")).toMatchObject({ state: "RUNNING", restarts: 0 });
    expect(manager.statusOf("neighbour").process?.pid).toBe(neighbourPid);
  });

  it("applies nice at spawn", async () => {
    const { manager } = limitedManager();
    manager.register(
      "niced",
      { command: "sleep", args: ["60"], limits: { nice: 7 } },
      QUICK_POLICY,
    );
    await manager.start("niced");
    const pid = manager.statusOf("niced").process!.pid!;
    expect(niceOf(pid)).toBe(7);
  });

  it("reports cpuPercent as unenforced where warden creates no cgroup", async () => {
    withoutCgroups();
    const { manager } = limitedManager();
    manager.register(
      "capped",
      { command: "sleep", args: ["60"], limits: { cpuPercent: 50 } },
      QUICK_POLICY,
    );
    await manager.start("capped");
    expect(manager.statusOf("capped").process?.limits).toEqual({
      cpuPercent: 50,
      unenforced: ["cpuPercent"],
      unenforcedReason: "no cgroups here",
    });
  });
});
