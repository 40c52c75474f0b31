/**
 * Python daemon classes written as the source documents write them (test/fixtures/python/)
 * run under warden's adapter (`python3 -m warden_daemon module:Class`, python/warden_daemon/)
 * against a real manager: READY=1 once start() returns, HEALTH? answered from health_check(),
 * METRICS= from get_metrics(), the bus both ways, stop() on SIGTERM, and crashes before and
 * after start.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { ProcessDaemonSpec } from "../../actors/process-spec.ts";
import type { Envelope } from "../../machines/envelope.ts";
import { pythonProcessSpec, wardenPackageRoot } from "../../runtime/config/python-daemon.ts";
import {
  QUICK_POLICY,
  eventually,
  nextEvent,
  processManagerPerTest,
} from "../support/process-harness.ts";
import { repoRoot } from "../support/run-warden.ts";

const FIXTURES = fileURLToPath(new URL("../fixtures/python/", import.meta.url));
const quick = { ...QUICK_POLICY, restart: "never" as const };
const setup = processManagerPerTest();

/** The fixture class `name` as a process daemon, the way the configuration's `python:` makes it. */
function fixture(name: string, env: Record<string, string> = {}, args: string[] = []) {
  return {
    ...pythonProcessSpec(`warden_fixtures:${name}`, FIXTURES, wardenPackageRoot(), {
      // No __pycache__ in the checkout.
      env: { PYTHONDONTWRITEBYTECODE: "1", ...env },
      args,
    }),
  } satisfies ProcessDaemonSpec;
}

function logOf(stateDir: string, name: string): string {
  const file = join(stateDir, "logs", `${name}.log`);
  return existsSync(file) ? readFileSync(file, "utf8") : "";
}

function lineCount(text: string, pattern: RegExp): number {
  return text.split("\n").filter((line) => pattern.test(line)).length;
}

describe("python daemons: the adapter's process", () => {
  it("is a plain process daemon: python3 -m warden_daemon module:Class, the adapter on PYTHONPATH", () => {
    expect(wardenPackageRoot()).toBe(repoRoot.replace(/\/$/, ""));
    expect(pythonProcessSpec("warden_fixtures:Echo", FIXTURES, wardenPackageRoot())).toEqual({
      command: "python3",
      args: ["-m", "warden_daemon", "warden_fixtures:Echo"],
      env: { PYTHONPATH: `${join(repoRoot, "python")}:${FIXTURES}` },
      ready: { notify: true },
    });
  });

  it("is RUNNING once start() returns, not before", async () => {
    const { manager, stateDir } = setup();
    const gate = join(stateDir, "gate");
    manager.register("gated", fixture("GatedStart", { GATE_FILE: gate }), quick);
    const started = manager.start("gated");
    await eventually(() => logOf(stateDir, "gated").includes("start entered"), 10_000, "start()");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(manager.statusOf("gated").state).toBe("STARTING");
    writeFileSync(gate, "");
    await started;
    expect(manager.statusOf("gated").state).toBe("RUNNING");
    expect(logOf(stateDir, "gated")).toContain("stdout start returned");
  });

  it("plain def methods and --options as keyword arguments work too", async () => {
    const { manager, stateDir } = setup();
    manager.register(
      "plain",
      fixture("SyncDaemon", {}, ["--options", '{"greeting":"bonjour"}']),
      quick,
    );
    await manager.start("plain");
    expect(logOf(stateDir, "plain")).toContain("stdout sync start: bonjour");
    await eventually(() => manager.statusOf("plain").metrics?.greeting === "bonjour");
    await manager.stop("plain");
    expect(manager.statusOf("plain").state).toBe("STOPPED");
    expect(logOf(stateDir, "plain")).toContain("stdout sync stop");
    expect(logOf(stateDir, "plain")).toContain("warden exited with code 0");
  });
});

describe("python daemons: health, metrics, heartbeats", () => {
  it("health_check()'s HealthCheckResult answers HEALTH?; failing twice restarts it with its message", async () => {
    const { manager, events, stateDir } = setup();
    manager.register(
      "flaky",
      { ...fixture("FlakyHealth", { HEALTHY_CHECKS: "2" }), healthProbe: { notify: true } },
      {
        ...quick,
        restart: "on-failure",
        backoff: { initialMs: 10, maxMs: 20, factor: 2 },
        health: { intervalMs: 40, timeoutMs: 2_000, failureThreshold: 2 },
      },
    );
    await manager.start("flaky");
    const restarting = await eventually(
      () => events.find((e) => e.type === "DAEMON_RESTARTING"),
      10_000,
      "a restart",
    );
    expect(restarting.data).toMatchObject({ daemon: "flaky", reason: "health" });
    const changes = events
      .filter((e) => e.type === "DAEMON_HEALTH_CHANGED")
      .map((e) => e.data as { healthy: boolean; detail?: string });
    expect(changes.slice(0, 2)).toEqual([
      { daemon: "flaky", from: "RUNNING", healthy: true },
      { daemon: "flaky", from: "RUNNING", healthy: false, detail: "replica lag 42 s" },
    ]);
    await eventually(() => manager.statusOf("flaky").restarts === 1, 10_000, "running again");
    const log = logOf(stateDir, "flaky");
    expect(log).toContain("stdout checked 2 ok");
    expect(log).toContain("stdout checked 4 fail");
  });

  it("get_metrics() shows in status: numbers and strings kept, names made safe, the rest dropped", async () => {
    const { manager } = setup();
    manager.register("metered", fixture("Metered", {}, ["--metrics-interval", "0.1"]), quick);
    await manager.start("metered");
    const first = await eventually(() => manager.statusOf("metered").metrics, 10_000, "metrics");
    expect(first).toMatchObject({
      status: "running",
      ratio: 0.5,
      is_running: 1,
      gpu_util: 0.75,
      last_error: "",
    });
    expect(Object.keys(first).sort()).toEqual(
      ["gpu_util", "is_running", "items_processed", "last_error", "ratio", "status"].sort(),
    );
    const items = first.items_processed as number;
    await eventually(
      () => (manager.statusOf("metered").metrics?.items_processed as number) > items,
      10_000,
      "metrics sent again as they change",
    );
    expect(manager.statusOf("metered").process?.invalidNotifyMessages).toBe(0);
  });

  it("heartbeats while the loop turns; a wedged event loop stops them and is restarted", async () => {
    const { manager, events, stateDir } = setup();
    // Heartbeats every 200 ms keep it RUNNING for 1.2 s, twice the timeout; then it blocks.
    manager.register("wedged", fixture("Blocker", { BLOCK_AFTER_S: "1.2" }), {
      ...quick,
      restart: "on-failure",
      heartbeatTimeoutMs: 600,
    });
    await manager.start("wedged");
    const restarting = await eventually(
      () => events.find((e) => e.type === "DAEMON_RESTARTING"),
      10_000,
      "a restart",
    );
    expect(restarting.data).toMatchObject({ daemon: "wedged", reason: "heartbeat" });
    const started = events.find((e) => e.type === "DAEMON_STARTED");
    expect(restarting.time - started!.time).toBeGreaterThanOrEqual(1_200);
    expect(logOf(stateDir, "wedged")).toContain("stdout blocking the loop");
  });
});

describe("python daemons: the bus", () => {
  it("publish() reaches the manager's bus; subscribe() gets the manager's events; a raising handler is only logged", async () => {
    const { manager, stateDir } = setup();
    manager.register("echo", fixture("Echo"), quick);
    const ready = nextEvent(manager, (e) => e.type === "echo.ready");
    await manager.start("echo");
    expect(await ready).toMatchObject({ source: "echo", data: { pid: expect.any(Number) } });

    manager.bus.publish("boom", { n: 0 });
    const pong = nextEvent(manager, (e: Envelope) => e.type === "pong");
    manager.bus.publish("ping", { n: 1 });
    expect(await pong).toMatchObject({
      source: "echo",
      data: { got: { n: 1 }, from: "warden" },
    });
    // Its stderr reaches the log through a pipe, which may trail the notify socket's pong.
    await eventually(
      () => logOf(stateDir, "echo").includes("RuntimeError: handler exploded on boom") || undefined,
      10_000,
      "the handler's traceback in the log",
    );
    expect(manager.statusOf("echo")).toMatchObject({
      state: "RUNNING",
      process: { invalidNotifyMessages: 0 },
    });
  });
});

describe("python daemons: stopping and crashing", () => {
  it("SIGTERM calls stop() once and exits 0", async () => {
    const { manager, stateDir } = setup();
    manager.register("stopper", fixture("Stopper"), quick);
    await manager.start("stopper");
    await manager.stop("stopper");
    expect(manager.statusOf("stopper").state).toBe("STOPPED");
    const log = logOf(stateDir, "stopper");
    expect(log).toContain("warden exited with code 0");
    expect(lineCount(log, /stdout stop called/)).toBe(1);
    expect(log).toContain("stdout stop finished");
  });

  it("SIGTERM while start() runs cancels it, then calls stop() and exits 0", async () => {
    const { manager, stateDir } = setup();
    manager.register("gated", fixture("GatedStart", { GATE_FILE: join(stateDir, "gate") }), quick);
    const starting = manager.start("gated").catch(() => undefined);
    await eventually(() => logOf(stateDir, "gated").includes("start entered"), 10_000, "start()");
    await manager.stop("gated");
    await starting;
    expect(manager.statusOf("gated").state).toBe("STOPPED");
    const log = logOf(stateDir, "gated");
    expect(lineCount(log, /stdout stop called/)).toBe(1);
    expect(log).not.toContain("start returned");
    expect(log).toContain("warden exited with code 0");
  });

  it("start() raising is a failed start: exit 1 before READY=1, the traceback in the log", async () => {
    const { manager, stateDir } = setup();
    manager.register("broken", fixture("BadStart"), quick);
    await expect(manager.start("broken")).rejects.toThrow();
    expect(manager.statusOf("broken")).toMatchObject({ state: "FAILED", exitCode: 1 });
    const log = logOf(stateDir, "broken");
    expect(log).toContain("RuntimeError: no database at db.internal:5432");
    expect(log).not.toContain("stop called");
  });

  it("an exception escaping a task spawned through the adapter is a crash (exit 1)", async () => {
    const { manager, events, stateDir } = setup();
    manager.register("crasher", fixture("CrashLater"), quick);
    await manager.start("crasher");
    await eventually(() => manager.statusOf("crasher").state === "FAILED", 10_000, "FAILED");
    expect(manager.statusOf("crasher").exitCode).toBe(1);
    expect(events.some((e) => e.type === "DAEMON_STARTED")).toBe(true);
    expect(logOf(stateDir, "crasher")).toContain("ValueError: lost the work queue");
  });
});
