/**
 * Properties of `catalogClosure` over any choice of catalog daemons: it contains the choice, is
 * closed under dependencies, adds nothing that is not a dependency, is idempotent, and puts every
 * dependency before its dependents.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CATALOGS, catalogGraph } from "../../../machines/catalog/catalog.ts";
import { catalogClosure } from "../../../machines/catalog/profile-members.ts";
import { dependencyClosure } from "../../../machines/dependency-graph.ts";

const catalog = CATALOGS.ringrift;
const graph = catalogGraph(catalog);
const names = catalog.entries.map((entry) => entry.name);
const choice = fc
  .subarray(names)
  .chain((subset) => fc.shuffledSubarray(subset, { minLength: subset.length }));

describe("catalogClosure, for any choice of daemons", () => {
  it("contains the choice and is closed under dependencies", () => {
    fc.assert(
      fc.property(choice, (chosen) => {
        const closure = new Set(catalogClosure(chosen, catalog));
        for (const name of chosen) expect(closure.has(name)).toBe(true);
        for (const name of closure)
          for (const dep of graph.get(name)!) expect(closure.has(dep)).toBe(true);
      }),
    );
  });

  it("adds only dependencies of the choice (the least closed set)", () => {
    fc.assert(
      fc.property(choice, (chosen) => {
        expect(new Set(catalogClosure(chosen, catalog))).toEqual(dependencyClosure(chosen, graph));
      }),
    );
  });

  it("is idempotent, whatever the order of its input", () => {
    fc.assert(
      fc.property(choice, (chosen) => {
        const once = catalogClosure(chosen, catalog);
        expect(catalogClosure(once, catalog)).toEqual(once);
        expect(catalogClosure([...chosen].reverse(), catalog)).toEqual(once);
      }),
    );
  });

  it("lists each daemon once, after all of its dependencies", () => {
    fc.assert(
      fc.property(choice, (chosen) => {
        const order = catalogClosure(chosen, catalog);
        expect(new Set(order).size).toBe(order.length);
        const at = new Map(order.map((name, i) => [name, i]));
        for (const [name, i] of at)
          for (const dep of graph.get(name)!) expect(at.get(dep)!).toBeLessThan(i);
      }),
    );
  });
});
