/**
 * Property (issue P10, item 6): under random schedules of starts, stops, crashes, failing starts
 * and time passing, the DaemonManager never over-commits a resource. Checked at every lifecycle
 * event, not only between steps: no unit is held by two daemons, no more units are held than
 * there are, and every daemon STARTING or RUNNING holds all it requires. Real manager, real
 * charts, in-process daemons on a simulated clock; one daemon depends on another, so that
 * dependency loss is in the mix.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Simulation } from "../../support/simulated-runtime.ts";

const NAMES = ["A", "B", "C", "D", "E"] as const;
type Name = (typeof NAMES)[number];

const step = fc.oneof(
  fc.record({ kind: fc.constant("start" as const), daemon: fc.constantFrom(...NAMES) }),
  fc.record({ kind: fc.constant("stop" as const), daemon: fc.constantFrom(...NAMES) }),
  fc.record({ kind: fc.constant("crash" as const), daemon: fc.constantFrom(...NAMES) }),
  fc.record({ kind: fc.constant("failNextStart" as const), daemon: fc.constantFrom(...NAMES) }),
  fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 3000 }) }),
);

describe("DaemonManager: resources under random schedules", () => {
  it("never over-commits, and every STARTING or RUNNING daemon holds what it requires", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ gpu: fc.integer({ min: 1, max: 3 }), slot: fc.integer({ min: 1, max: 2 }) }),
        fc.array(fc.record({ gpu: fc.nat(3), slot: fc.nat(2) }), { minLength: 5, maxLength: 5 }),
        fc.array(step, { maxLength: 30 }),
        async (capacity, wants, steps) => {
          const sim = new Simulation({ resources: capacity });
          const requiresOf = new Map<Name, Record<string, number>>();
          const daemons = NAMES.map((name, i) => {
            const want = wants[i]!;
            const requires: Record<string, number> = {};
            if (want.gpu > 0) requires.gpu = Math.min(want.gpu, capacity.gpu);
            if (want.slot > 0) requires.slot = Math.min(want.slot, capacity.slot);
            requiresOf.set(name, requires);
            const options = {
              requires,
              startTimeoutMs: 5_000,
              backoff: { initialMs: 100, maxMs: 1_000, factor: 2 },
              ...(name === "C" ? { dependsOn: ["A"] } : {}),
            };
            return sim.daemon(name, { startMs: 50 + 100 * i, stopMs: 30 }, options);
          });
          const violations: string[] = [];
          const check = (when: string) => {
            for (const resource of ["gpu", "slot"] as const) {
              const held: number[] = [];
              for (const name of NAMES)
                held.push(...(sim.manager.statusOf(name).resources?.[resource] ?? []));
              if (new Set(held).size !== held.length || held.length > capacity[resource]) {
                violations.push(`${when}: ${resource} over-committed: ${held.join(",")}`);
              }
              if (held.some((unit) => unit < 0 || unit >= capacity[resource])) {
                violations.push(`${when}: ${resource} unit out of range: ${held.join(",")}`);
              }
            }
            for (const name of NAMES) {
              const status = sim.manager.statusOf(name);
              if (status.state !== "STARTING" && status.state !== "RUNNING") continue;
              for (const [resource, units] of Object.entries(requiresOf.get(name)!)) {
                const holds = status.resources?.[resource]?.length ?? 0;
                if (holds !== units) {
                  violations.push(
                    `${when}: ${name} ${status.state} holds ${holds} ${resource}, requires ${units}`,
                  );
                }
              }
            }
          };
          const subscription = sim.manager.events$.subscribe((event) => check(event.type));
          try {
            for (const s of steps) {
              if (s.kind === "advance") await sim.advance(s.ms);
              else {
                const daemon = daemons[NAMES.indexOf(s.daemon)]!;
                if (s.kind === "start") void sim.manager.start(s.daemon).catch(() => {});
                else if (s.kind === "stop") void sim.manager.stop(s.daemon).catch(() => {});
                else if (s.kind === "failNextStart") daemon.script.failNextStart = true;
                else if (sim.manager.stateOf(s.daemon) === "RUNNING") {
                  daemon.ctx?.fail(new Error("simulated crash"));
                }
                await sim.settle();
              }
              check(`after ${JSON.stringify(s)}`);
            }
            await sim.advance(30_000);
            check("at the end");
          } finally {
            subscription.unsubscribe();
            await sim.close();
          }
          expect(violations).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });
});
