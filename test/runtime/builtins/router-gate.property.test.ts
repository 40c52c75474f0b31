/**
 * Property: over any interleaving of publishes (from several sources, as time goes by) and of
 * the router becoming RUNNING and leaving it, EVENT_ROUTER's gate delivers exactly the events it
 * accepted, each once, in publish order (so in order per source), never while the router is not
 * RUNNING, with their publish time; it refuses exactly the publishes beyond its bound and counts
 * them.
 */
import fc from "fast-check";
import { SimulatedClock } from "xstate";
import { describe, expect, it } from "vitest";
import type { DaemonContext } from "../../../actors/daemon-types.ts";
import type { Envelope } from "../../../machines/envelope.ts";
import { isWardenError } from "../../../machines/errors.ts";
import { EventBus } from "../../../runtime/bus/event-bus.ts";
import { eventRouterDaemon } from "../../../runtime/builtins/event-router.ts";

type Step =
  | { kind: "publish"; source: string; afterMs: number }
  | { kind: "running" }
  | { kind: "leaves"; type: "DAEMON_STOPPING" | "DAEMON_RESTARTING" | "DAEMON_FAILED" };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("publish" as const),
      source: fc.constantFrom("sensor", "probe", "cli"),
      afterMs: fc.nat(1000),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "running" as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("leaves" as const),
      type: fc.constantFrom("DAEMON_STOPPING", "DAEMON_RESTARTING", "DAEMON_FAILED"),
    }),
  },
);

interface Published {
  id: string;
  source: string;
  time: number;
}

describe("EVENT_ROUTER's gate: ordering and no loss (property)", () => {
  it("delivers what it accepted, once, in publish order, only while RUNNING", () => {
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 80 }),
        fc.integer({ min: 1, max: 12 }),
        (steps, max) => {
          const clock = new SimulatedClock();
          const bus = new EventBus({ clock });
          const router = eventRouterDaemon({ bus, maxHeldEvents: max });
          void router.start({ name: "EVENT_ROUTER" } as DaemonContext);
          const delivered: Envelope[] = [];
          bus.subscribe("*", (event) => {
            if (!event.type.startsWith("DAEMON_")) delivered.push(event);
          });

          // The model: the router's state, what waits, what was delivered, what was refused.
          let running = false;
          let waiting: Published[] = [];
          const expected: Published[] = [];
          let refused = 0;
          const publishedAt = new Map<string, number>();

          for (const s of steps) {
            if (s.kind === "publish") {
              clock.increment(s.afterMs);
              let envelope: Envelope | undefined;
              let error: unknown;
              try {
                envelope = bus.publish("READING", { at: clock.now() }, s.source);
              } catch (caught) {
                error = caught;
              }
              if (running) {
                expect(error).toBeUndefined();
                expected.push({ id: envelope!.id, source: s.source, time: clock.now() });
              } else if (waiting.length >= max) {
                expect(isWardenError(error, "WARDEN_ERR_EVENT_ROUTER_FULL")).toBe(true);
                refused++;
              } else {
                expect(error).toBeUndefined();
                waiting.push({ id: envelope!.id, source: s.source, time: clock.now() });
              }
              if (envelope) publishedAt.set(envelope.id, clock.now());
            } else if (s.kind === "running") {
              bus.publish("DAEMON_STARTED", { daemon: "EVENT_ROUTER", from: "STARTING" });
              running = true;
              expected.push(...waiting);
              waiting = [];
            } else {
              bus.publish(s.type, { daemon: "EVENT_ROUTER", from: "RUNNING" });
              running = false;
            }
            // Nothing is delivered while the router is not RUNNING, nothing is late once it is.
            expect(delivered.map((event) => event.id)).toEqual(expected.map((event) => event.id));
            expect(router.getMetrics()).toMatchObject({ held: waiting.length, refused });
          }

          // Once it runs again, every accepted event has been delivered, exactly once.
          bus.publish("DAEMON_STARTED", { daemon: "EVENT_ROUTER", from: "STARTING" });
          expected.push(...waiting);
          const ids = delivered.map((event) => event.id);
          expect(ids).toEqual(expected.map((event) => event.id));
          expect(new Set(ids).size).toBe(ids.length);
          expect(ids.length + refused).toBe(steps.filter((s) => s.kind === "publish").length);
          // In order per source, and each with the time it was published at.
          for (const source of ["sensor", "probe", "cli"]) {
            const mine = delivered.filter((event) => event.source === source);
            const order = mine.map((event) => publishedAt.get(event.id)!);
            expect(order).toEqual([...order].sort((a, b) => a - b));
          }
          for (const event of delivered) expect(event.time).toBe(publishedAt.get(event.id));
          expect(router.getMetrics()).toMatchObject({ held: 0, delivered: ids.length, refused });
        },
      ),
      { numRuns: 300 },
    );
  });
});
