/**
 * EVENT_ROUTER in a DaemonManager: daemons' events reach subscribers only while the router is
 * RUNNING; what is published before, or while it restarts, is delivered in order once it runs,
 * with its publish time; lifecycle events always flow; without a router nothing changes.
 * Simulated clock; no real sleeps.
 */
import { describe, expect, it } from "vitest";
import type { Envelope } from "../../../machines/envelope.ts";
import { eventRouterDaemon } from "../../../runtime/builtins/event-router.ts";
import { simulationPerTest } from "../../support/manager-fixtures.ts";
import type { Simulation } from "../../support/simulated-runtime.ts";

const simulation = simulationPerTest();

/** A simulation whose manager has EVENT_ROUTER (registered, not started). */
function routed(options: { maxHeldEvents?: number } = {}): Simulation {
  const sim = simulation();
  sim.manager.register("EVENT_ROUTER", eventRouterDaemon({ bus: sim.manager.bus, ...options }));
  return sim;
}

/** "source:n" of every routed event a "*" subscriber got, in order. */
function received(sim: Simulation): string[] {
  const seen: string[] = [];
  sim.manager.bus.subscribe("*", (event: Envelope) => {
    if (!event.type.startsWith("DAEMON_"))
      seen.push(`${event.source}:${(event.data as { n: number }).n}`);
  });
  return seen;
}

describe("EVENT_ROUTER: events wait for it", () => {
  it("holds events published before it is RUNNING and delivers them in order, none lost", async () => {
    const sim = routed();
    const seen = received(sim);
    const times: number[] = [];
    sim.manager.bus.subscribe("READING", (event) => void times.push(event.time));
    sim.clock.set(1000);
    sim.manager.bus.publish("READING", { n: 1 }, "sensor");
    sim.clock.set(2000);
    sim.manager.bus.publish("ALERT", { n: 2 }, "sensor");
    sim.manager.bus.publish("READING", { n: 1 }, "probe");
    sim.manager.bus.publish("READING", { n: 3 }, "sensor");
    expect(seen).toEqual([]);

    await sim.run(sim.manager.startAll());
    expect(sim.state("EVENT_ROUTER")).toBe("RUNNING");
    expect(seen).toEqual(["sensor:1", "sensor:2", "probe:1", "sensor:3"]);
    // The envelope keeps its publish time.
    expect(times).toEqual([1000, 2000, 2000]);
    // Delivered after the router's DAEMON_STARTED, which flowed at once.
    const types = sim.events.map((event) => event.type);
    expect(types.indexOf("DAEMON_STARTED")).toBeLessThan(types.indexOf("READING"));

    sim.manager.bus.publish("READING", { n: 4 }, "sensor");
    expect(seen.at(-1)).toBe("sensor:4"); // RUNNING: at once
    expect(sim.manager.statusOf("EVENT_ROUTER").metrics).toEqual({
      held: 0,
      heldBytes: 0,
      delivered: 5,
      refused: 0,
    });
  });

  it("lets lifecycle events flow while it is not RUNNING", async () => {
    const sim = routed();
    sim.daemon("worker");
    const lifecycle: string[] = [];
    sim.manager.bus.subscribe("*", (event) => {
      if (event.type.startsWith("DAEMON_")) lifecycle.push(event.type);
    });
    await sim.run(sim.manager.start("worker"));
    expect(sim.state("EVENT_ROUTER")).toBe("PENDING");
    expect(lifecycle).toEqual(["DAEMON_STARTING", "DAEMON_STARTED"]);
    expect(sim.trail()).toEqual(["DAEMON_STARTING:worker", "DAEMON_STARTED:worker"]);
  });

  it("keeps per-source order across a stop and start of the router", async () => {
    const sim = routed();
    const seen = received(sim);
    await sim.run(sim.manager.startAll());
    sim.manager.bus.publish("READING", { n: 1 }, "sensor");
    await sim.run(sim.manager.stop("EVENT_ROUTER"));
    sim.manager.bus.publish("READING", { n: 2 }, "sensor");
    sim.manager.bus.publish("READING", { n: 1 }, "probe");
    sim.manager.bus.publish("READING", { n: 3 }, "sensor");
    expect(seen).toEqual(["sensor:1"]);
    await sim.run(sim.manager.start("EVENT_ROUTER"));
    sim.manager.bus.publish("READING", { n: 4 }, "sensor");
    expect(seen).toEqual(["sensor:1", "sensor:2", "probe:1", "sensor:3", "sensor:4"]);
  });

  it("holds what is published while it restarts, and delivers it once it is back", async () => {
    const sim = routed();
    const seen = received(sim);
    await sim.run(sim.manager.startAll());
    // Published from inside the restart: on DAEMON_RESTARTING of the router.
    let n = 0;
    sim.manager.bus.subscribe("DAEMON_RESTARTING", () => {
      sim.manager.bus.publish("READING", { n: ++n }, "sensor");
      sim.manager.bus.publish("READING", { n: ++n }, "sensor");
    });
    const restarted = sim.manager.restart("EVENT_ROUTER");
    expect(sim.state("EVENT_ROUTER")).not.toBe("RUNNING");
    expect(seen).toEqual([]);
    await sim.run(restarted);
    expect(seen).toEqual(["sensor:1", "sensor:2"]);
  });

  it("delivers, in order, events a handler publishes while held ones go out", async () => {
    const sim = routed();
    const seen = received(sim);
    sim.manager.bus.subscribe("READING", (event) => {
      const { n } = event.data as { n: number };
      if (n < 3) sim.manager.bus.publish("ECHO", { n: n * 10 }, "echo");
    });
    sim.manager.bus.publish("READING", { n: 1 }, "sensor");
    sim.manager.bus.publish("READING", { n: 2 }, "sensor");
    await sim.run(sim.manager.startAll());
    expect(seen).toEqual(["sensor:1", "sensor:2", "echo:10", "echo:20"]);
  });
});

describe("EventBus without EVENT_ROUTER", () => {
  it("delivers every publish at once, as before", async () => {
    const sim = simulation();
    sim.daemon("worker");
    const seen = received(sim);
    sim.manager.bus.publish("READING", { n: 1 }, "sensor");
    expect(seen).toEqual(["sensor:1"]);
    // A handler's own publish is delivered inside its delivery, as RxJS does.
    sim.manager.bus.subscribe("READING", (event) => {
      if ((event.data as { n: number }).n === 2) sim.manager.bus.publish("ECHO", { n: 20 }, "echo");
    });
    sim.manager.bus.publish("READING", { n: 2 }, "sensor");
    expect(seen).toEqual(["sensor:1", "echo:20", "sensor:2"]);
    await sim.run(sim.manager.startAll());
    expect(sim.manager.timings().map((timing) => timing.state)).toEqual(["RUNNING"]);
  });
});
