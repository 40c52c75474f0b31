/**
 * EVENT_ROUTER's hold is bounded in events and bytes: a publish beyond fails loudly with
 * WARDEN_ERR_EVENT_ROUTER_FULL naming the router and the limit, is counted, and drops nothing
 * already held; the router reports its hold in metrics and health.
 */
import { SimulatedClock } from "xstate";
import { describe, expect, it } from "vitest";
import type { DaemonContext } from "../../../actors/daemon-types.ts";
import { isWardenError } from "../../../machines/errors.ts";
import { EventBus } from "../../../runtime/bus/event-bus.ts";
import { eventRouterDaemon } from "../../../runtime/builtins/event-router.ts";

/** A bus with a router registered as `name`, not yet RUNNING. */
function routedBus(
  options: { maxHeldEvents?: number; maxHeldBytes?: number },
  name = "EVENT_ROUTER",
) {
  const bus = new EventBus({ clock: new SimulatedClock() });
  const router = eventRouterDaemon({ bus, ...options });
  void router.start({ name } as DaemonContext);
  const running = () => bus.publish("DAEMON_STARTED", { daemon: name, from: "STARTING" });
  const stopping = () => bus.publish("DAEMON_STOPPING", { daemon: name, from: "RUNNING" });
  return { bus, router, running, stopping };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("EVENT_ROUTER: the bound of its hold", () => {
  it("refuses the event beyond maxHeldEvents with a WardenError naming it and the limit", () => {
    const { bus, router, running } = routedBus({ maxHeldEvents: 3 }, "ROUTER");
    const seen: number[] = [];
    bus.subscribe("TICK", (event) => void seen.push((event.data as { n: number }).n));
    for (const n of [1, 2, 3]) bus.publish("TICK", { n }, "clock");

    const error = thrown(() => bus.publish("TICK", { n: 4 }, "clock"));
    expect(isWardenError(error, "WARDEN_ERR_EVENT_ROUTER_FULL")).toBe(true);
    expect((error as Error).message).toContain("ROUTER holds 3 events");
    expect((error as Error).message).toContain("3 events");
    expect((error as Error).message).toContain('"TICK" from "clock"');
    expect(router.getMetrics()).toMatchObject({ held: 3, refused: 1, delivered: 0 });

    running();
    expect(seen).toEqual([1, 2, 3]); // the held ones, none lost
    expect(router.getMetrics()).toMatchObject({ held: 0, heldBytes: 0, refused: 1, delivered: 3 });
  });

  it("refuses an event that would take the hold past maxHeldBytes", () => {
    const { bus, router } = routedBus({ maxHeldBytes: 400 });
    bus.publish("BLOB", { text: "x".repeat(150) }, "writer");
    const held = router.getMetrics().heldBytes;
    expect(held).toBeGreaterThan(150);
    const error = thrown(() => bus.publish("BLOB", { text: "x".repeat(300) }, "writer"));
    expect(isWardenError(error, "WARDEN_ERR_EVENT_ROUTER_FULL")).toBe(true);
    expect((error as Error).message).toContain("400 bytes");
    // A small one still fits.
    bus.publish("BLOB", { text: "y" }, "writer");
    expect(router.getMetrics()).toMatchObject({ held: 2, refused: 1 });
  });

  it("counts bytes as UTF-8 JSON and frees them on delivery", () => {
    const { bus, router, running } = routedBus({});
    const envelope = bus.publish("NOTE", { text: "é" }, "writer");
    expect(router.getMetrics().heldBytes).toBe(Buffer.byteLength(JSON.stringify(envelope)));
    running();
    expect(router.getMetrics().heldBytes).toBe(0);
  });

  it("is unhealthy while its hold is over 90 % full", () => {
    const { bus, router, running } = routedBus({ maxHeldEvents: 10 });
    for (let n = 0; n < 9; n++) bus.publish("TICK", { n }, "clock");
    expect(router.healthCheck()).toEqual({ healthy: true });
    bus.publish("TICK", { n: 9 }, "clock");
    expect(router.healthCheck()).toMatchObject({ healthy: false });
    expect(router.healthCheck().detail).toContain("holds 10 events");
    running();
    expect(router.healthCheck()).toEqual({ healthy: true });
  });

  it("holds again from its DAEMON_STOPPING on, and lifecycle events of others never wait", () => {
    const { bus, running, stopping } = routedBus({});
    const seen: string[] = [];
    bus.subscribe("*", (event) => void seen.push(event.type));
    running();
    stopping();
    bus.publish("TICK", { n: 1 }, "clock");
    bus.publish("DAEMON_STARTED", { daemon: "other", from: "STARTING" });
    expect(seen).toEqual(["DAEMON_STARTED", "DAEMON_STOPPING", "DAEMON_STARTED"]);
    running();
    expect(seen.slice(-2)).toEqual(["DAEMON_STARTED", "TICK"]);
  });

  it("refuses a second gate on one bus, and bad limits", () => {
    const { bus } = routedBus({});
    expect(() => eventRouterDaemon({ bus })).toThrow(/already has a gate/);
    const other = new EventBus({ clock: new SimulatedClock() });
    expect(() => eventRouterDaemon({ bus: other, maxHeldEvents: 0 })).toThrow(RangeError);
  });
});
