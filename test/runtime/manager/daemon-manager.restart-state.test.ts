/**
 * Restart state across manager restarts (`restartState`, runtime/manager/restart-memory.ts): a
 * crash loop that spans two managers on one state directory reaches FAILED at the same count, a
 * FAILED daemon stays FAILED until it is started by name or its cool-down elapses, and a broken
 * restart-state.json is reported and ignored. Simulated clocks; the second manager's continues
 * where the first one's stopped, as a wall clock would.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { FAILED_BEFORE_RESTART } from "../../../machines/restart-record.ts";
import type { RegisterOptions } from "../../../runtime/manager/daemon-manager.ts";
import { RESTART_STATE_FILE } from "../../../runtime/state/restart-state-file.ts";
import { codeOf, FAST, simulationPerTest } from "../../support/manager-fixtures.ts";
import type { Simulation } from "../../support/simulated-runtime.ts";

const simulation = simulationPerTest();
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "warden-restart-memory-"));
  dirs.push(dir);
  return dir;
}

/** A manager on `dir` that remembers restarts, its clock at `now`. */
function manager(dir: string, now = 0, logger = pino({ level: "silent" })): Simulation {
  const sim = simulation({ stateDir: dir, restartState: true, logger });
  sim.clock.set(now);
  return sim;
}

const LOOP: RegisterOptions = { ...FAST, maxRestarts: 3, withinMs: 60_000 };

/** Crashes `name`'s running instance and lets the restart (if any) happen. */
async function crash(sim: Simulation, name: string, error: string): Promise<void> {
  const daemon = sim.manager.statusOf(name);
  expect(daemon.state, `${name} before "${error}"`).toBe("RUNNING");
  running.get(sim)!.get(name)!.ctx!.fail(new Error(error));
  await sim.advance(1_000);
}

const running = new WeakMap<Simulation, Map<string, ReturnType<Simulation["daemon"]>>>();
function daemon(sim: Simulation, name: string, options: RegisterOptions) {
  const fake = sim.daemon(name, {}, options);
  const map = running.get(sim) ?? new Map();
  map.set(name, fake);
  running.set(sim, map);
  return fake;
}

function recorded(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, RESTART_STATE_FILE), "utf8")).daemons;
}

describe("DaemonManager: restart state across manager restarts", () => {
  it("carries a crash loop over to the next manager: FAILED at the same count", async () => {
    const dir = stateDir();
    const first = manager(dir);
    daemon(first, "db", LOOP);
    await first.run(first.manager.startAll());
    await crash(first, "db", "crash 1");
    await crash(first, "db", "crash 2");
    await first.close();
    expect(recorded(dir)).toEqual({ db: { attempt: 2, restartTimes: [0, 1_000] } });

    const second = manager(dir, first.clock.now() + 1_000);
    daemon(second, "db", LOOP);
    await second.run(second.manager.startAll());
    await crash(second, "db", "crash 3");
    // The backoff goes on from the first manager's attempts: attempt 3, 0.5 × 200 × 2².
    expect(second.seen({ type: "DAEMON_RESTARTING" }).map((e) => e.data)).toEqual([
      expect.objectContaining({ attempt: 3, delayMs: 400, error: "crash 3" }),
    ]);
    running.get(second)!.get("db")!.ctx!.fail(new Error("crash 4"));
    await second.settle();
    // Four crashes within withinMs, as one manager would have counted them.
    expect(second.state("db")).toBe("FAILED");
    expect(second.seen({ type: "DAEMON_FAILED" })[0]!.data).toMatchObject({
      reason: "intensity",
      error: "crash 4",
    });
  });

  it("writes nothing for daemons that never restart", async () => {
    const dir = stateDir();
    const sim = manager(dir);
    daemon(sim, "db", LOOP);
    await sim.run(sim.manager.startAll());
    await sim.close();
    expect(() => recorded(dir)).toThrow(/ENOENT/);
  });

  it("keeps a FAILED daemon FAILED, its dependents waiting, until it is started by name", async () => {
    const dir = stateDir();
    const first = manager(dir);
    daemon(first, "db", { ...LOOP, maxRestarts: 1 });
    daemon(first, "api", { dependsOn: ["db"] });
    await first.run(first.manager.startAll());
    await crash(first, "db", "crash 1");
    await crash(first, "db", "crash 2");
    expect(first.state("db")).toBe("FAILED");
    const failedAt = first.manager.statusOf("db").failedAt;
    await first.close();

    const later = first.clock.now() + 600_000;
    const second = manager(dir, later);
    const db = daemon(second, "db", { ...LOOP, maxRestarts: 1 });
    daemon(second, "api", { dependsOn: ["db"] });
    const start = second.manager.startAll();
    expect(await codeOf(() => second.run(start))).toBe("WARDEN_ERR_DAEMON_FAILED");
    await expect(start).rejects.toThrow(
      'daemon "db" is still FAILED from before the manager restarted: crash 2',
    );
    expect(second.states()).toEqual({ db: "FAILED", api: "PENDING" });
    expect(db.starts).toBe(0);
    // Still remembered as it failed, for the manager after this one.
    expect(recorded(dir).db).toMatchObject({
      failed: { at: failedAt, reason: "intensity", error: "crash 2" },
    });
    expect(second.manager.statusOf("db")).toMatchObject({
      state: "FAILED",
      reason: FAILED_BEFORE_RESTART,
      lastError: "crash 2",
      failedAt,
    });
    expect(second.seen({ type: "DAEMON_FAILED" }).map((e) => e.data)).toEqual([
      { daemon: "db", from: "PENDING", reason: FAILED_BEFORE_RESTART, error: "crash 2" },
    ]);
    // Time passes, another plain start comes: still FAILED, and said so at once.
    await second.advance(3_600_000);
    expect(await codeOf(() => second.run(second.manager.startAll()))).toBe(
      "WARDEN_ERR_DAEMON_FAILED",
    );
    expect(second.states()).toEqual({ db: "FAILED", api: "PENDING" });

    // Started by name, it runs with a fresh counter, and its dependent follows.
    await second.run(second.manager.start("db"));
    await second.settle();
    expect(second.states()).toEqual({ db: "RUNNING", api: "RUNNING" });
    await crash(second, "db", "again");
    expect(second.state("db")).toBe("RUNNING");
    expect(second.seen({ type: "DAEMON_RESTARTING", daemon: "db" })[0]!.data.attempt).toBe(1);
  });

  it("restarts a FAILED daemon restarted by name, and a third manager forgets the failure", async () => {
    const dir = stateDir();
    const first = manager(dir);
    daemon(first, "db", { restart: "never" });
    await first.run(first.manager.startAll());
    await crash(first, "db", "boom");
    expect(first.state("db")).toBe("FAILED");
    await first.close();
    expect(recorded(dir)).toEqual({
      db: { attempt: 0, restartTimes: [], failed: { at: 0, reason: "policy", error: "boom" } },
    });

    const second = manager(dir, 5_000);
    daemon(second, "db", { restart: "never" });
    await second.run(second.manager.restart("db"));
    expect(second.state("db")).toBe("RUNNING");
    await second.close();
    expect(() => recorded(dir)).toThrow(/ENOENT/);

    const third = manager(dir, 10_000);
    daemon(third, "db", { restart: "never" });
    await third.run(third.manager.startAll());
    expect(third.state("db")).toBe("RUNNING");
  });

  it("starts a FAILED daemon whose cool-down elapsed, during or before the new manager", async () => {
    const dir = stateDir();
    const options = { restart: "never", retryFailedAfterMs: 60_000 } as const;
    const first = manager(dir);
    daemon(first, "db", options);
    await first.run(first.manager.startAll());
    await crash(first, "db", "boom"); // FAILED at 0 ms
    await first.close();

    // 30 s into its cool-down: FAILED for the other 30 s, then started.
    const second = manager(dir, 30_000);
    daemon(second, "db", options);
    expect(await codeOf(() => second.run(second.manager.startAll(), 1_000))).toBe(
      "WARDEN_ERR_DAEMON_FAILED",
    );
    await second.advance(29_999);
    expect(second.state("db")).toBe("FAILED");
    await second.advance(1);
    expect(second.state("db")).toBe("RUNNING");
    expect(second.seen({ daemon: "db" }).map((e) => `${e.data.from}→${e.type}`)).toEqual([
      "PENDING→DAEMON_FAILED",
      "PENDING→DAEMON_STARTING",
      "STARTING→DAEMON_STARTED",
    ]);

    // A manager that comes after the cool-down starts it as if it had never failed.
    const other = stateDir();
    const before = manager(other);
    daemon(before, "db", options);
    await before.run(before.manager.startAll());
    await crash(before, "db", "boom");
    await before.close();
    const after = manager(other, 60_000);
    daemon(after, "db", options);
    await after.run(after.manager.startAll());
    expect(after.state("db")).toBe("RUNNING");
    expect(after.seen({ type: "DAEMON_FAILED" })).toEqual([]);
  });

  it("gives a critical daemon its retry, with its window kept: one more failure escalates", async () => {
    const dir = stateDir();
    const options = { ...LOOP, maxRestarts: 1, critical: true };
    const first = manager(dir);
    daemon(first, "core", options);
    await first.run(first.manager.startAll());
    await crash(first, "core", "crash 1");
    await crash(first, "core", "crash 2");
    expect(first.state("core")).toBe("FAILED");
    await first.close();

    const second = manager(dir, first.clock.now() + 1_000);
    let escalated: string | undefined;
    second.manager.escalated$.subscribe((name) => (escalated = name));
    daemon(second, "core", options);
    await second.run(second.manager.startAll());
    expect(second.state("core")).toBe("RUNNING");
    running.get(second)!.get("core")!.ctx!.fail(new Error("crash 3"));
    await second.settle();
    expect(second.state("core")).toBe("FAILED");
    expect(escalated).toBe("core");
  });

  it("warns about a broken restart-state.json and starts every daemon fresh", async () => {
    const dir = stateDir();
    writeFileSync(join(dir, RESTART_STATE_FILE), '{"version":1,"daemons":{"db":');
    const lines: { level: number; msg: string }[] = [];
    const logger = pino(
      { level: "warn" },
      { write: (line: string) => lines.push(JSON.parse(line)) },
    );
    const sim = manager(dir, 0, logger);
    daemon(sim, "db", LOOP);
    await sim.run(sim.manager.startAll());
    expect(sim.state("db")).toBe("RUNNING");
    expect(lines.map((line) => line.msg)).toEqual([
      "restart-state.json: it is not a JSON object; every daemon starts with fresh restart counters",
    ]);
    // The next change replaces the broken file.
    await crash(sim, "db", "crash 1");
    expect(recorded(dir)).toEqual({ db: { attempt: 1, restartTimes: [0] } });
  });

  it("leaves managers without restartState alone: nothing read, nothing written", async () => {
    const dir = stateDir();
    writeFileSync(
      join(dir, RESTART_STATE_FILE),
      JSON.stringify({
        version: 1,
        daemons: { db: { attempt: 0, restartTimes: [], failed: { at: 0, reason: "policy" } } },
      }),
    );
    const sim = simulation({ stateDir: dir });
    const db = sim.daemon("db", {}, { restart: "never" });
    await sim.run(sim.manager.startAll());
    expect(sim.state("db")).toBe("RUNNING");
    db.ctx!.fail(new Error("boom"));
    await sim.close();
    expect(recorded(dir).db).toMatchObject({ failed: { at: 0 } });
  });
});
