/**
 * Process daemons with real processes: exits and crashes under the restart policy, the
 * heartbeat watchdog, stop by process group with SIGKILL after the timeout.
 */
import { describe, expect, it } from "vitest";
import { processesInGroup, stillRunning } from "../support/orphans.ts";
import {
  eventually,
  nextEvent,
  NOTIFY_SCRIPT,
  QUICK_POLICY,
  processManagerPerTest,
} from "../support/process-harness.ts";

const notifyScript = NOTIFY_SCRIPT;
const quick = {
  ...QUICK_POLICY,
  backoff: { initialMs: 50, maxMs: 50, factor: 1 },
};

const setup = processManagerPerTest();

describe("process daemons: exits and crashes", () => {
  it("a crash restarts the process after the backoff; the exit code is in the event", async () => {
    const { manager } = setup();
    manager.register(
      "crasher",
      { command: "sh", args: ["-c", "sleep 0.2; exit 3"] },
      { ...quick, restart: "on-failure" },
    );
    await manager.start("crasher");
    const firstPid = manager.statusOf("crasher").process!.pid!;
    const restarting = await nextEvent(manager, (e) => e.type === "DAEMON_RESTARTING");
    expect(restarting.data).toMatchObject({
      daemon: "crasher",
      reason: "crash",
      exitCode: 3,
      error: "exited with code 3",
      delayMs: expect.any(Number),
    });
    await nextEvent(manager, (e) => e.type === "DAEMON_STARTED");
    const secondPid = manager.statusOf("crasher").process!.pid!;
    expect(secondPid).not.toBe(firstPid);
    expect(manager.statusOf("crasher").restarts).toBe(1);
  });

  it("a crash by signal carries the signal", async () => {
    const { manager } = setup();
    manager.register(
      "segv",
      { command: "sh", args: ["-c", "kill -SEGV $$"] },
      {
        ...quick,
        restart: "never",
      },
    );
    await manager.start("segv").catch(() => {});
    const failed = await nextEvent(manager, (e) => e.type === "DAEMON_FAILED").catch(
      () => undefined,
    );
    const data = (failed?.data ?? manager.statusOf("segv")) as Record<string, unknown>;
    expect(data).toMatchObject({ signal: "SIGSEGV" });
  });

  it("a crash loop ends in FAILED with DAEMON_FAILED (intensity limit)", async () => {
    const { manager, events } = setup();
    manager.register(
      "looper",
      { command: "sh", args: ["-c", "exit 1"] },
      { ...quick, restart: "always", maxRestarts: 2, withinMs: 60_000 },
    );
    // Ready at spawn, so start() resolves; then it keeps crashing.
    await manager.start("looper");
    await manager.waitFor("looper", "FAILED", 10_000);
    expect(manager.statusOf("looper")).toMatchObject({ state: "FAILED", restarts: 2, exitCode: 1 });
    expect(events.filter((e) => e.type === "DAEMON_RESTARTING")).toHaveLength(2);
    expect(events.find((e) => e.type === "DAEMON_FAILED")?.data).toMatchObject({
      reason: "intensity",
      exitCode: 1,
    });
  });

  it("a clean exit under on-failure is STOPPED, with exit code 0 in the event and status", async () => {
    const { manager } = setup();
    manager.register("oneshot", { command: "sh", args: ["-c", "sleep 0.1; exit 0"] }, quick);
    await manager.start("oneshot");
    const stopped = await nextEvent(manager, (e) => e.type === "DAEMON_STOPPED");
    expect(stopped.data).toMatchObject({ daemon: "oneshot", reason: "exit", exitCode: 0 });
    expect(manager.statusOf("oneshot")).toMatchObject({ state: "STOPPED", exitCode: 0 });
  });

  it("a clean exit under always is restarted", async () => {
    const { manager } = setup();
    manager.register(
      "again",
      { command: "sh", args: ["-c", "sleep 0.1; exit 0"] },
      {
        ...quick,
        restart: "always",
      },
    );
    await manager.start("again");
    const restarting = await nextEvent(manager, (e) => e.type === "DAEMON_RESTARTING");
    expect(restarting.data).toMatchObject({ reason: "exit", exitCode: 0 });
  });

  it("a process that stops sending WATCHDOG=1 is restarted (heartbeat)", async () => {
    const { manager } = setup();
    manager.register(
      "hanger",
      {
        command: process.execPath,
        args: [notifyScript, "send:READY=1", "beat:50:4"],
        ready: { notify: true },
      },
      { ...quick, heartbeatTimeoutMs: 400 },
    );
    await manager.start("hanger");
    const restarting = await nextEvent(manager, (e) => e.type === "DAEMON_RESTARTING");
    expect(restarting.data).toMatchObject({ reason: "heartbeat" });
  });
});

describe("process daemons: stop", () => {
  it("SIGTERM to the whole group: grandchildren are gone after stop", async () => {
    const { manager } = setup();
    manager.register(
      "family",
      {
        command: "sh",
        args: ["-c", "sleep 1000 & sleep 1000 & echo spawned; wait"],
        ready: { stdout: "spawned" },
      },
      quick,
    );
    await manager.start("family");
    const pid = manager.statusOf("family").process!.pid!;
    const members = await eventually(
      () => {
        const group = processesInGroup(pid);
        return group.length >= 3 ? group : undefined;
      },
      5_000,
      "three processes in the group",
    );
    await manager.stop("family");
    expect(stillRunning(members)).toEqual([]);
    expect(manager.statusOf("family").state).toBe("STOPPED");
  });

  it("a process that ignores SIGTERM is SIGKILLed after stopTimeoutMs (forced)", async () => {
    const { manager } = setup();
    manager.register(
      "stubborn",
      {
        command: "sh",
        args: ["-c", "trap '' TERM; echo armed; while :; do sleep 0.05; done"],
        ready: { stdout: "armed" },
      },
      { ...quick, stopTimeoutMs: 300 },
    );
    await manager.start("stubborn");
    const pid = manager.statusOf("stubborn").process!.pid!;
    const stopped = nextEvent(manager, (e) => e.type === "DAEMON_STOPPED");
    const began = Date.now();
    await manager.stop("stubborn");
    expect((await stopped).data).toMatchObject({ forced: true });
    expect(Date.now() - began).toBeGreaterThanOrEqual(280);
    await eventually(() => processesInGroup(pid).length === 0, 5_000, "the group to die");
  });

  it("close() stops every process group", async () => {
    const { manager, stateDir } = setup();
    manager.register("a", { command: "sh", args: ["-c", "sleep 1000 & exec sleep 1000"] }, quick);
    manager.register("b", { command: "sleep", args: ["1000"] }, { ...quick, dependsOn: ["a"] });
    await manager.startAll();
    const pids = [manager.statusOf("a").process!.pid!, manager.statusOf("b").process!.pid!];
    const members = pids.flatMap((pid) => processesInGroup(pid));
    expect(members.length).toBeGreaterThanOrEqual(3);
    await manager.close();
    expect(stillRunning(members)).toEqual([]);
    expect(stateDir).toBeTruthy();
  });
});
