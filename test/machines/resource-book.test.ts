import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ResourceBook } from "../../machines/resource-book.ts";
import { resourceEnv } from "../../machines/resource-env.ts";

describe("ResourceBook", () => {
  it("grants free units by index and makes the rest wait, saying for what", () => {
    const book = new ResourceBook({ gpu: 4 });
    for (const name of ["A", "B", "C"]) book.declare(name, { gpu: name === "C" ? 1 : 2 });
    expect(book.request("A")).toEqual({ holder: "A", units: { gpu: [0, 1] } });
    expect(book.request("B")).toEqual({ holder: "B", units: { gpu: [2, 3] } });
    expect(book.request("C")).toBeUndefined();
    expect(book.waitingFor("C")).toBe("gpu: 4 of 4 held by A, B");
    expect(book.release("B")).toEqual([{ holder: "C", units: { gpu: [2] } }]);
    expect(book.usage()).toEqual([
      {
        name: "gpu",
        capacity: 4,
        held: [
          { holder: "A", units: [0, 1] },
          { holder: "C", units: [2] },
        ],
        free: 1,
        waiting: [],
      },
    ]);
  });

  it("serves the line resource by resource: nobody waits behind a waiter for other resources", () => {
    const book = new ResourceBook({ gpu: 1, slot: 1 });
    book.declare("trainer", { gpu: 1 });
    book.declare("evaluator", { gpu: 1 });
    book.declare("big", { gpu: 1, slot: 1 });
    book.declare("sync", { slot: 1 });
    book.declare("sync2", { slot: 1 });
    expect(book.request("trainer")).toBeDefined();
    expect(book.request("evaluator")).toBeUndefined();
    // `big` waits for the gpu; the slot it also needs stays free for it, so `sync` queues behind.
    expect(book.request("big")).toBeUndefined();
    expect(book.request("sync")).toBeUndefined();
    expect(book.waitingFor("sync")).toBe("queued behind big");
    // The gpu comes free: the first in line for it gets it; `big` still waits, for the gpu.
    expect(book.release("trainer")).toEqual([{ holder: "evaluator", units: { gpu: [0] } }]);
    expect(book.waitingFor("big")).toBe("gpu: 1 of 1 held by evaluator");
    book.release("big"); // it gave up (stopped while waiting)
    expect(book.isWaiting("sync")).toBe(false);
    expect(book.unitsOf("sync")).toEqual({ slot: [0] });
    // A waiter for the slot alone is not held up by a waiter for the gpu ahead of it.
    book.declare("trainer2", { gpu: 1 });
    expect(book.request("trainer2")).toBeUndefined();
    expect(book.request("sync2")).toBeUndefined();
    expect(book.release("sync")).toEqual([{ holder: "sync2", units: { slot: [0] } }]);
    expect(book.isWaiting("trainer2")).toBe(true);
  });

  it("refuses a requirement beyond the capacity or of an unknown resource", () => {
    const book = new ResourceBook({ gpu: 1 });
    expect(() => book.declare("A", { gpu: 2 })).toThrow(/requires 2 gpu but there are 1/);
    expect(() => book.declare("A", { tpu: 1 })).toThrow(/requires 1 tpu but there are 0/);
  });

  it("gives a holder that asks again the indexes it had where they are free", () => {
    const book = new ResourceBook({ gpu: 3 });
    book.declare("A", { gpu: 1 });
    book.declare("B", { gpu: 1 });
    book.request("A");
    expect(book.request("B")?.units).toEqual({ gpu: [1] });
    book.release("A");
    book.release("B");
    expect(book.request("B")?.units).toEqual({ gpu: [1] });
    expect(book.request("B")?.units, "asking twice changes nothing").toEqual({ gpu: [1] });
  });

  it("passes units to processes as WARDEN_RESOURCE_* and CUDA_VISIBLE_DEVICES", () => {
    expect(resourceEnv({ gpu: [0, 2], "sync-slots": [1] })).toEqual({
      WARDEN_RESOURCE_GPU: "0,2",
      CUDA_VISIBLE_DEVICES: "0,2",
      WARDEN_RESOURCE_SYNC_SLOTS: "1",
    });
  });

  it("never over-commits, serves waiters in order, and lets holders keep their units", () => {
    const holders = ["A", "B", "C", "D", "E"];
    const op = fc.record({
      holder: fc.constantFrom(...holders),
      release: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.record({ gpu: fc.integer({ min: 1, max: 4 }), slot: fc.integer({ min: 1, max: 3 }) }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 3 }))),
        fc.array(op, { maxLength: 60 }),
        (capacity, wants, ops) => {
          const book = new ResourceBook(capacity);
          const line: string[] = [];
          const requiresOf = new Map<string, Record<string, number>>();
          holders.forEach((holder, i) => {
            const [gpu, slot] = wants[i] ?? [1, 1];
            const requires: Record<string, number> = {};
            if (gpu > 0) requires.gpu = Math.min(gpu, capacity.gpu);
            if (slot > 0) requires.slot = Math.min(slot, capacity.slot);
            book.declare(holder, requires);
            requiresOf.set(holder, requires);
          });
          const held = new Map<string, unknown>();
          for (const { holder, release } of ops) {
            let grants: { holder: string; units: unknown }[];
            const grantedNow = (other: string) => grants.some((grant) => grant.holder === other);
            if (release) {
              const i = line.indexOf(holder);
              if (i >= 0) line.splice(i, 1);
              held.delete(holder);
              grants = book.release(holder);
            } else {
              const before = held.get(holder);
              const grant = book.request(holder);
              // A holder that asks again keeps exactly what it holds.
              if (before !== undefined) expect(grant?.units).toEqual(before);
              grants = grant ? [grant] : [];
              if (!grant && !line.includes(holder)) line.push(holder);
            }
            for (const grant of grants) {
              if (held.has(grant.holder)) continue;
              // Waiters are served in the order they asked, resource by resource: nobody ahead
              // of a served waiter still waits for a resource it requires.
              const at = line.indexOf(grant.holder);
              if (at >= 0) {
                const shares = (other: string) =>
                  Object.keys(requiresOf.get(grant.holder)!).some(
                    (name) => (requiresOf.get(other)![name] ?? 0) > 0,
                  );
                const ahead = line.slice(0, at).filter((other) => !grantedNow(other));
                expect(ahead.filter(shares), `${grant.holder} served before`).toEqual([]);
                line.splice(at, 1);
              }
              held.set(grant.holder, grant.units);
            }
            for (const usage of book.usage()) {
              const units = usage.held.flatMap((h) => h.units);
              expect(new Set(units).size, "no unit held twice").toBe(units.length);
              expect(units.length + usage.free).toBe(usage.capacity);
              expect(units.every((u) => u >= 0 && u < usage.capacity)).toBe(true);
            }
          }
        },
      ),
    );
  });
});
