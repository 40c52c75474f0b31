/**
 * The in-process driver's reports (actors/in-process-daemon.ts): a crash made while nobody
 * watches is kept for the watcher that comes, nothing follows a crash, a stale instance's
 * heartbeats are ignored, and health checks run on the injected clock only while watched.
 */
import { describe, expect, it } from "vitest";
import { SimulatedClock } from "xstate";
import type { DaemonContext, InProcessDaemon } from "../../actors/daemon-types.ts";
import { InProcessDriver } from "../../actors/in-process-daemon.ts";
import { resolvePolicy } from "../../machines/daemon-policy.ts";
import type { InstanceReport } from "../../machines/instance-protocol.ts";
import { advance } from "../support/simulated-runtime.ts";

const never = () => new AbortController().signal;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

function driverOf(daemon: InProcessDaemon, clock = new SimulatedClock()) {
  const contexts: DaemonContext[] = [];
  const recording: InProcessDaemon = {
    ...daemon,
    start: (ctx) => {
      contexts.push(ctx);
      return daemon.start(ctx);
    },
    stop: (ctx) => daemon.stop(ctx),
  };
  if (daemon.healthCheck) recording.healthCheck = daemon.healthCheck;
  const driver = new InProcessDriver({
    name: "svc",
    daemon: recording,
    clock,
    health: resolvePolicy({ health: { intervalMs: 1_000, timeoutMs: 100, failureThreshold: 1 } })
      .health,
    logger: silent,
    bus: () => {
      throw new Error("no bus in this test");
    },
  });
  return { driver, contexts, clock };
}

function collect(driver: InProcessDriver) {
  const seen: InstanceReport[] = [];
  let completed = false;
  const subscription = driver.reports().subscribe({
    next: (report) => seen.push(report),
    complete: () => (completed = true),
  });
  return { seen, subscription, completed: () => completed };
}

const trivial: InProcessDaemon = { start: () => {}, stop: () => {} };

describe("InProcessDriver reports", () => {
  it("keeps a crash made before anyone watched, and tells nothing after it", async () => {
    const { driver, contexts } = driverOf(trivial);
    await driver.start(never());
    contexts[0]!.fail(new Error("gone wrong"));
    contexts[0]!.heartbeat();

    const { seen, completed } = collect(driver);

    expect(seen).toEqual([{ type: "CRASHED", error: "gone wrong" }]);
    expect(completed()).toBe(true);
  });

  it("fails the start instead when the daemon crashes while it starts", async () => {
    const { driver } = driverOf({
      start: (ctx) => {
        ctx.fail(new Error("half-way"));
        return new Promise(() => {});
      },
      stop: () => {},
    });
    await expect(driver.start(never())).rejects.toThrow("half-way");
  });

  it("passes heartbeats on, and ignores those of an instance that was stopped", async () => {
    const { driver, contexts } = driverOf(trivial);
    await driver.start(never());
    const { seen } = collect(driver);
    contexts[0]!.heartbeat();
    await driver.stop(never());
    await driver.start(never());
    const second = collect(driver);

    contexts[0]!.heartbeat();
    contexts[1]!.heartbeat();

    expect(seen).toEqual([{ type: "HEARTBEAT" }]);
    expect(second.seen).toEqual([{ type: "HEARTBEAT" }]);
  });

  it("runs health checks on the clock while watched, and not after", async () => {
    let checks = 0;
    const { driver, clock } = driverOf({
      ...trivial,
      healthCheck: () => {
        checks++;
        return { healthy: checks < 2, detail: "tired" };
      },
    });
    await driver.start(never());
    const { seen, subscription } = collect(driver);

    await advance(clock, 2_000);
    subscription.unsubscribe();
    await advance(clock, 10_000);

    expect(checks).toBe(2);
    expect(seen).toEqual([
      { type: "HEALTH_RESULT", healthy: true, detail: "tired" },
      { type: "HEALTH_RESULT", healthy: false, detail: "tired" },
    ]);
  });

  it("reports a crash when there is no instance to watch", () => {
    const { driver } = driverOf(trivial);
    expect(collect(driver).seen).toEqual([
      { type: "CRASHED", error: "the daemon has no running instance" },
    ]);
  });
});
