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
          holders.forEach((holder, i) => {
            const [gpu, slot] = wants[i] ?? [1, 1];
            const requires: Record<string, number> = {};
            if (gpu > 0) requires.gpu = Math.min(gpu, capacity.gpu);
            if (slot > 0) requires.slot = Math.min(slot, capacity.slot);
            book.declare(holder, requires);
          });
          const held = new Map<string, unknown>();
          for (const { holder, release } of ops) {
            let grants;
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
              // Waiters are served in the order they asked.
              if (line.length > 0) expect(grant.holder).toBe(line.shift());
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
