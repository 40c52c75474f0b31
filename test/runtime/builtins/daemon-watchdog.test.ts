/**
 * DAEMON_WATCHDOG finds daemons stuck past their own deadlines when the chart's timer for that
 * deadline is lost (watchdog-harness.ts): a start that never resolves, a daemon that stops
 * heartbeating, a stop that hangs. It acts once per episode through the manager and publishes
 * what it did; it spares itself and HEALTH_SERVER, and leaves a working chart alone.
 * Simulated clock; no real sleeps.
 */
import { describe, expect, it } from "vitest";
import { eventRouterDaemon } from "../../../runtime/builtins/event-router.ts";
import { FAST } from "../../support/manager-fixtures.ts";
import { GRACE_MS, INTERVAL_MS, watchdogRunPerTest } from "./watchdog-harness.ts";

const watchdogRun = watchdogRunPerTest();

/** Chart timeouts whose timers the runs lose: no other timer has these lengths. */
const START_TIMEOUT = 61_111;
const STOP_TIMEOUT = 9_111;
const HEARTBEAT_TIMEOUT = 7_111;

describe("DAEMON_WATCHDOG: a hung start", () => {
  it("interrupts a start hanging past startTimeoutMs + grace, once, and says so", async () => {
    const run = watchdogRun([START_TIMEOUT]);
    const stuck = run.daemon("stuck", { ...FAST, startTimeoutMs: START_TIMEOUT });
    void run.manager.startAll().catch(() => {});
    await run.advance(START_TIMEOUT + GRACE_MS);
    const first = stuck.ctx!;
    expect(run.manager.stateOf("stuck")).toBe("STARTING");
    expect(run.watchdogEvents()).toEqual([]);

    await run.advance(INTERVAL_MS);
    expect(run.watchdogEvents()).toEqual([
      [
        "WATCHDOG_INTERRUPTED",
        {
          source: "DAEMON_WATCHDOG",
          daemon: "stuck",
          state: "STARTING",
          stuckForMs: 62_000,
          reason: "start-timeout",
          action: "interrupt",
          detail: `start interrupted by DAEMON_WATCHDOG: STARTING for 62000 ms, past startTimeoutMs ${START_TIMEOUT} ms + grace ${GRACE_MS} ms`,
        },
      ],
    ]);
    // As the chart's own timeout would: the instance is aborted and the restart is counted.
    expect(first.signal.aborted).toBe(true);
    expect(run.trail("stuck")).toEqual([
      "DAEMON_STARTING:start",
      "DAEMON_RESTARTING:start-failed",
      "DAEMON_STARTING:restart",
    ]);
    expect(run.manager.statusOf("stuck").lastError).toContain(
      "start interrupted by DAEMON_WATCHDOG",
    );
    expect(stuck.starts).toBe(2);

    // The new start hangs too: a new episode, acted on once more, and not before its own time.
    await run.advance(START_TIMEOUT);
    expect(run.watchdogEvents()).toHaveLength(1);
    await run.advance(2 * INTERVAL_MS);
    expect(run.watchdogEvents()).toHaveLength(2);
  });

  it("leaves the verdict to the restart policy: a daemon that may not restart is FAILED", async () => {
    const run = watchdogRun([START_TIMEOUT]);
    run.daemon("stuck", { restart: "never", startTimeoutMs: START_TIMEOUT });
    const started = run.manager.startAll();
    await expect(run.run(started)).rejects.toMatchObject({ code: "WARDEN_ERR_DAEMON_FAILED" });
    expect(run.manager.statusOf("stuck")).toMatchObject({
      state: "FAILED",
      lastError: expect.stringContaining("start interrupted by DAEMON_WATCHDOG"),
    });
    expect(run.watchdogEvents().map(([type]) => type)).toEqual(["WATCHDOG_INTERRUPTED"]);
  });
});

describe("DAEMON_WATCHDOG: when it looks", () => {
  it("acts on nothing in a late look (a stalled loop, a clock jump); the next look acts", async () => {
    const run = watchdogRun([START_TIMEOUT]);
    run.daemon("stuck", { ...FAST, startTimeoutMs: START_TIMEOUT });
    void run.manager.startAll().catch(() => {});
    await run.advance(10_000);
    run.clock.increment(100_000); // every due timer fires once, 90 s late
    await run.advance(0);
    expect(run.watchdogEvents()).toEqual([]);
    await run.advance(INTERVAL_MS);
    expect(run.watchdogEvents().map(([type, data]) => [type, data.daemon])).toEqual([
      ["WATCHDOG_INTERRUPTED", "stuck"],
    ]);
  });

  it("publishes through EVENT_ROUTER, as the catalog wires it", async () => {
    const run = watchdogRun([START_TIMEOUT], { dependsOn: ["EVENT_ROUTER"] });
    const router = eventRouterDaemon({ bus: run.manager.bus });
    run.manager.register("EVENT_ROUTER", router);
    run.daemon("stuck", { ...FAST, startTimeoutMs: START_TIMEOUT, dependsOn: ["EVENT_ROUTER"] });
    void run.manager.startAll().catch(() => {});
    await run.advance(START_TIMEOUT + GRACE_MS + INTERVAL_MS);
    expect(run.watchdogEvents()).toEqual([
      [
        "WATCHDOG_INTERRUPTED",
        expect.objectContaining({ source: "DAEMON_WATCHDOG", daemon: "stuck" }),
      ],
    ]);
    expect(router.getMetrics()).toMatchObject({ delivered: 1, held: 0, refused: 0 });
  });
});

describe("DAEMON_WATCHDOG: a silent daemon", () => {
  it("restarts a RUNNING daemon without a heartbeat for heartbeatTimeoutMs + grace", async () => {
    const run = watchdogRun([HEARTBEAT_TIMEOUT]);
    const beating = run.daemon("beating", { ...FAST, heartbeatTimeoutMs: HEARTBEAT_TIMEOUT }, true);
    const started = run.manager.startAll();
    await run.advance(0);
    beating.finishStart();
    await run.advance(0);
    await started;
    const runningAt = run.clock.now();
    for (let beat = 0; beat < 4; beat++) {
      await run.advance(5_000); // well within the timeout
      beating.heartbeat();
    }
    const lastBeatAt = run.clock.now();
    expect(run.manager.timings().find((timing) => timing.name === "beating")).toMatchObject({
      state: "RUNNING",
      since: runningAt,
      lastHeartbeatAt: lastBeatAt,
      heartbeatTimeoutMs: HEARTBEAT_TIMEOUT,
    });
    await run.advance(HEARTBEAT_TIMEOUT + GRACE_MS);
    expect(run.watchdogEvents()).toEqual([]);

    await run.advance(INTERVAL_MS);
    const events = run.watchdogEvents();
    expect(events).toHaveLength(1);
    const [type, data] = events[0]!;
    expect(type).toBe("WATCHDOG_RESTARTED");
    expect(data).toMatchObject({
      source: "DAEMON_WATCHDOG",
      daemon: "beating",
      state: "RUNNING",
      reason: "heartbeat",
      action: "restart",
    });
    expect(data.stuckForMs).toBeGreaterThan(HEARTBEAT_TIMEOUT + GRACE_MS);
    expect(data.stuckForMs).toBeLessThanOrEqual(HEARTBEAT_TIMEOUT + GRACE_MS + INTERVAL_MS);
    expect(run.trail("beating").slice(2, 3)).toEqual(["DAEMON_RESTARTING:manual"]);
    await run.advance(1000);
    beating.finishStart();
    await run.advance(0);
    expect(run.manager.stateOf("beating")).toBe("RUNNING");
    expect(beating.starts).toBe(2);
  });
});

describe("DAEMON_WATCHDOG: a hung stop", () => {
  it("ends a stop hanging past stopTimeoutMs + grace: STOPPED, and the stop returns", async () => {
    const run = watchdogRun([STOP_TIMEOUT]);
    const sticky = run.daemon("sticky", { stopTimeoutMs: STOP_TIMEOUT });
    const started = run.manager.startAll();
    await run.advance(0);
    sticky.finishStart();
    await run.run(started);
    let stopped = false;
    void run.manager.stop("sticky").then(() => (stopped = true));
    await run.advance(STOP_TIMEOUT + GRACE_MS);
    expect(run.manager.stateOf("sticky")).toBe("STOPPING");

    await run.advance(INTERVAL_MS);
    expect(run.manager.stateOf("sticky")).toBe("STOPPED");
    expect(stopped).toBe(true);
    expect(run.watchdogEvents()).toEqual([
      [
        "WATCHDOG_INTERRUPTED",
        expect.objectContaining({
          source: "DAEMON_WATCHDOG",
          daemon: "sticky",
          state: "STOPPING",
          reason: "stop-timeout",
          action: "interrupt",
        }),
      ],
    ]);
    expect(run.manager.statusOf("sticky").lastError).toContain(
      "stop interrupted by DAEMON_WATCHDOG",
    );
    await run.advance(20_000);
    expect(run.watchdogEvents()).toHaveLength(1);
    expect(run.watchdogEvents()[0]![1].stuckForMs).toBeGreaterThan(STOP_TIMEOUT + GRACE_MS);
  });
});

describe("DAEMON_WATCHDOG: what it leaves alone", () => {
  it("reports a stuck HEALTH_SERVER once and does nothing to it", async () => {
    const run = watchdogRun([STOP_TIMEOUT]);
    const health = run.daemon("HEALTH_SERVER", { stopTimeoutMs: STOP_TIMEOUT });
    const started = run.manager.startAll();
    await run.advance(0);
    health.finishStart();
    await run.run(started);
    void run.manager.stop("HEALTH_SERVER");
    await run.advance(STOP_TIMEOUT + GRACE_MS + 10 * INTERVAL_MS);
    expect(run.manager.stateOf("HEALTH_SERVER")).toBe("STOPPING");
    expect(run.watchdogEvents()).toEqual([
      [
        "WATCHDOG_STUCK",
        expect.objectContaining({
          daemon: "HEALTH_SERVER",
          state: "STOPPING",
          reason: "stop-timeout",
          action: "none",
          detail: expect.stringContaining("DAEMON_WATCHDOG does not act on HEALTH_SERVER"),
        }),
      ],
    ]);
  });

  it("never acts on itself", async () => {
    const run = watchdogRun([HEARTBEAT_TIMEOUT], { heartbeatTimeoutMs: HEARTBEAT_TIMEOUT });
    await run.run(run.manager.startAll());
    await run.advance(60_000);
    expect(run.manager.stateOf("DAEMON_WATCHDOG")).toBe("RUNNING");
    expect(run.watchdogEvents()).toEqual([]);
    expect(run.manager.statusOf("DAEMON_WATCHDOG").metrics!.looks).toBeGreaterThanOrEqual(60);
    expect(run.manager.statusOf("DAEMON_WATCHDOG").metrics).toMatchObject({
      restarted: 0,
      interrupted: 0,
      stuck: 0,
    });
  });

  it("never acts while the chart keeps its own deadlines", async () => {
    const run = watchdogRun([]);
    run.daemon("slow", { restart: "never", startTimeoutMs: 2_000 });
    const quiet = run.daemon("quiet", { ...FAST, heartbeatTimeoutMs: 3_000 }, true);
    const sticky = run.daemon("sticky", { stopTimeoutMs: 2_000 });
    void run.manager.startAll().catch(() => {});
    await run.advance(0);
    quiet.finishStart();
    sticky.finishStart();
    await run.advance(1_000);
    void run.manager.stop("sticky");
    await run.advance(30_000);
    expect(run.manager.stateOf("slow")).toBe("FAILED");
    expect(run.manager.stateOf("sticky")).toBe("STOPPED");
    expect(run.trail("quiet")).toContain("DAEMON_RESTARTING:heartbeat");
    expect(run.watchdogEvents()).toEqual([]);
  });
});
