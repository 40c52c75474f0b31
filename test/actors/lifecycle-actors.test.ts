/**
 * The lifecycle chart's instance slots bound to drivers by name (actors/lifecycle-actors.ts): the
 * promise actors hand their AbortSignal to the driver, the watch actor subscribes to the driver's
 * reports — replayed, so a report made before RUNNING is not lost — and unsubscribes when the
 * daemon leaves RUNNING; `killInstance` reaches the driver of the daemon named in the context.
 */
import { ReplaySubject } from "rxjs";
import { describe, expect, it } from "vitest";
import { createActor, SimulatedClock } from "xstate";
import { lifecycleImplementations, type DaemonDriver } from "../../actors/lifecycle-actors.ts";
import { daemonLifecycleMachine } from "../../machines/daemon-lifecycle.ts";
import { resolvePolicy } from "../../machines/daemon-policy.ts";
import type { InstanceReport } from "../../machines/instance-protocol.ts";
import { flush } from "../support/simulated-runtime.ts";

/** A driver whose start and stop resolve at once, reporting through a ReplaySubject(1). */
class FakeDriver implements DaemonDriver {
  readonly signals: AbortSignal[] = [];
  readonly reported = new ReplaySubject<InstanceReport>(1);
  kills = 0;
  subscribers = 0;

  start(signal: AbortSignal): Promise<void> {
    this.signals.push(signal);
    return Promise.resolve();
  }

  stop(signal: AbortSignal): Promise<void> {
    this.signals.push(signal);
    return Promise.resolve();
  }

  reports() {
    this.subscribers++;
    return this.reported;
  }

  kill(): void {
    this.kills++;
  }
}

function lifecycle(drivers: Map<string, DaemonDriver>, name: string) {
  const logic = daemonLifecycleMachine.provide(
    lifecycleImplementations((daemon) => drivers.get(daemon)),
  );
  const actor = createActor(logic, {
    clock: new SimulatedClock(),
    input: {
      name,
      policy: resolvePolicy({ restart: "never" }),
      now: () => 0,
      dependenciesReady: true,
    },
  });
  actor.start();
  return actor;
}

describe("lifecycle actors over drivers by name", () => {
  it("runs the named daemon's driver and watches what its instance reports", async () => {
    const web = new FakeDriver();
    const db = new FakeDriver();
    const actor = lifecycle(
      new Map<string, DaemonDriver>([
        ["web", web],
        ["db", db],
      ]),
      "web",
    );

    actor.send({ type: "START" });
    await flush();

    expect(actor.getSnapshot().value).toBe("RUNNING");
    expect(web.signals).toHaveLength(1);
    expect(web.subscribers).toBe(1);
    expect(db.signals).toHaveLength(0);
    web.reported.next({ type: "CRASHED", error: "boom" });
    expect(actor.getSnapshot().value).toBe("FAILED");
    expect(web.kills).toBe(1);
    expect(db.kills).toBe(0);
    actor.stop();
  });

  it("does not lose a report made before the watch began", async () => {
    const driver = new FakeDriver();
    driver.start = (signal) => {
      driver.signals.push(signal);
      // The instance crashes between "ready" and the RUNNING state's watch.
      driver.reported.next({ type: "CRASHED", error: "died at once", exitCode: 1 });
      return Promise.resolve();
    };
    const actor = lifecycle(new Map([["svc", driver]]), "svc");

    actor.send({ type: "START" });
    await flush();

    expect(actor.getSnapshot().value).toBe("FAILED");
    expect(actor.getSnapshot().context).toMatchObject({
      lastError: "died at once",
      exit: { exitCode: 1 },
    });
    actor.stop();
  });

  it("unsubscribes when the daemon leaves RUNNING, and hands the stop its signal", async () => {
    const driver = new FakeDriver();
    const actor = lifecycle(new Map([["svc", driver]]), "svc");
    actor.send({ type: "START" });
    await flush();
    expect(driver.reported.observed).toBe(true);

    actor.send({ type: "STOP" });
    await flush();

    expect(driver.reported.observed).toBe(false);
    expect(actor.getSnapshot().value).toBe("STOPPED");
    expect(driver.signals).toHaveLength(2);
    driver.reported.next({ type: "CRASHED", error: "late" });
    expect(actor.getSnapshot().value).toBe("STOPPED");
    actor.stop();
  });

  it("fails the start of a daemon that has no driver", async () => {
    const actor = lifecycle(new Map(), "ghost");

    actor.send({ type: "START" });
    await flush();

    expect(actor.getSnapshot().value).toBe("FAILED");
    expect(actor.getSnapshot().context.lastError).toBe('daemon "ghost" has no driver');
    actor.stop();
  });
});
