import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  criticalPath,
  dependencyClosure,
  dependencyOrder,
  dependentClosure,
  findCycle,
  missingDependencies,
  type DependencyGraph,
} from "../../machines/dependency-graph.ts";

const graphOf = (edges: Record<string, string[]>): DependencyGraph =>
  new Map(Object.entries(edges));

/** n0 → n1 → … → n(size−1), inserted from the head (deepest walk first) or from the tail. */
function chain(size: number, from: "head" | "tail"): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const order = Array.from({ length: size }, (_, i) => (from === "head" ? i : size - 1 - i));
  for (const i of order) graph.set(`n${i}`, i + 1 < size ? [`n${i + 1}`] : []);
  return graph;
}

/** True when the graph has no cycle (Kahn's algorithm), ignoring unknown dependencies. */
function acyclic(graph: DependencyGraph): boolean {
  const pending = new Map<string, number>();
  for (const [name, deps] of graph) pending.set(name, deps.filter((d) => graph.has(d)).length);
  const ready = [...pending].filter(([, n]) => n === 0).map(([name]) => name);
  let done = 0;
  while (ready.length > 0) {
    const name = ready.pop()!;
    done++;
    for (const [other, deps] of graph) {
      for (const dep of deps) {
        if (dep !== name) continue;
        const left = pending.get(other)! - 1;
        pending.set(other, left);
        if (left === 0) ready.push(other);
      }
    }
  }
  return done === graph.size;
}

describe("findCycle", () => {
  it("returns the exact closed cycle path", () => {
    expect(findCycle(graphOf({ a: ["b"], b: ["c"], c: ["a"] }))).toEqual(["a", "b", "c", "a"]);
    expect(findCycle(graphOf({ a: ["b"], b: ["a"] }))).toEqual(["a", "b", "a"]);
  });

  it("finds a self-dependency", () => {
    expect(findCycle(graphOf({ a: ["a"] }))).toEqual(["a", "a"]);
  });

  it("returns only the cycle, not the path that led to it", () => {
    const graph = graphOf({ root: ["x"], x: ["y"], y: ["z"], z: ["x"] });
    expect(findCycle(graph)).toEqual(["x", "y", "z", "x"]);
  });

  it("finds a cycle reachable only from a later root", () => {
    const graph = graphOf({ a: [], b: ["a"], c: ["d"], d: ["c"] });
    expect(findCycle(graph)).toEqual(["c", "d", "c"]);
  });

  it("returns undefined for acyclic graphs, diamonds and unknown dependencies", () => {
    expect(findCycle(graphOf({}))).toBeUndefined();
    expect(findCycle(graphOf({ d: ["b", "c"], b: ["a"], c: ["a"], a: [] }))).toBeUndefined();
    expect(findCycle(graphOf({ a: ["ghost"], b: ["a", "ghost"] }))).toBeUndefined();
  });

  it("returns a closed path along real edges exactly when the graph has a cycle", () => {
    const names = ["a", "b", "c", "d", "e", "f", "g"];
    const graphs = fc
      .array(fc.tuple(fc.constantFrom(...names), fc.constantFrom(...names)), { maxLength: 14 })
      .map((edges) => {
        const graph = new Map<string, string[]>(names.map((name) => [name, []]));
        for (const [from, to] of edges) {
          const deps = graph.get(from)!;
          if (!deps.includes(to)) deps.push(to);
        }
        return graph;
      });
    fc.assert(
      fc.property(graphs, (graph) => {
        const cycle = findCycle(graph);
        if (cycle === undefined) {
          expect(acyclic(graph)).toBe(true);
          return;
        }
        expect(acyclic(graph)).toBe(false);
        expect(cycle.length).toBeGreaterThanOrEqual(2);
        expect(cycle[0]).toBe(cycle.at(-1));
        // Simple: no daemon appears twice apart from the closing one.
        expect(new Set(cycle.slice(0, -1)).size).toBe(cycle.length - 1);
        for (let i = 0; i + 1 < cycle.length; i++) {
          expect(graph.get(cycle[i]!)).toContain(cycle[i + 1]);
        }
      }),
    );
  });
});

describe("missingDependencies", () => {
  it("lists every (daemon, dependency) pair whose dependency is not in the graph", () => {
    const graph = graphOf({ api: ["db", "cache"], worker: ["queue", "db"], db: [] });
    expect(missingDependencies(graph)).toEqual([
      { daemon: "api", dependency: "cache" },
      { daemon: "worker", dependency: "queue" },
    ]);
  });

  it("is empty for a complete graph", () => {
    expect(missingDependencies(graphOf({ a: [], b: ["a"] }))).toEqual([]);
  });
});

describe("closures", () => {
  const graph = graphOf({ db: [], cache: [], api: ["db", "cache"], web: ["api"], cron: ["db"] });

  it("dependencyClosure: the names and everything they depend on, transitively", () => {
    expect(dependencyClosure(["web"], graph)).toEqual(new Set(["web", "api", "db", "cache"]));
    expect(dependencyClosure(["cron", "cache"], graph)).toEqual(new Set(["cron", "db", "cache"]));
    expect(dependencyClosure([], graph)).toEqual(new Set());
  });

  it("dependentClosure: the names and everything that depends on them, transitively", () => {
    expect(dependentClosure(["db"], graph)).toEqual(new Set(["db", "api", "web", "cron"]));
    expect(dependentClosure(["cache"], graph)).toEqual(new Set(["cache", "api", "web"]));
    expect(dependentClosure(["web"], graph)).toEqual(new Set(["web"]));
  });

  it("terminates on cycles", () => {
    const cyclic = graphOf({ a: ["b"], b: ["a"] });
    expect(dependencyClosure(["a"], cyclic)).toEqual(new Set(["a", "b"]));
    expect(dependentClosure(["a"], cyclic)).toEqual(new Set(["a", "b"]));
  });
});

describe("criticalPath", () => {
  it("is the costliest dependency chain, not the sum of all costs", () => {
    const cost: Record<string, number> = { db: 30, cache: 5, api: 10, web: 1, cron: 2 };
    const graph = graphOf({ db: [], cache: [], api: ["db", "cache"], web: ["api"], cron: ["db"] });
    expect(criticalPath(graph, (name) => cost[name]!)).toBe(30 + 10 + 1);
  });

  it("is the largest single cost for independent daemons, and 0 for none", () => {
    expect(criticalPath(graphOf({ a: [], b: [], c: [] }), (n) => ({ a: 3, b: 7, c: 5 })[n]!)).toBe(
      7,
    );
    expect(criticalPath(graphOf({}), () => 1)).toBe(0);
  });

  it("counts each daemon once in a diamond", () => {
    const graph = graphOf({ d: ["b", "c"], b: ["a"], c: ["a"], a: [] });
    let calls = 0;
    const length = criticalPath(graph, () => {
      calls++;
      return 1;
    });
    expect(length).toBe(3);
    expect(calls).toBe(4);
  });
});

describe("a 100,000-daemon chain", () => {
  const size = 100_000;

  it.each(["head", "tail"] as const)(
    "does not overflow the stack (inserted from the %s)",
    (from) => {
      const graph = chain(size, from);
      expect(findCycle(graph)).toBeUndefined();
      expect(missingDependencies(graph)).toEqual([]);
      expect(dependencyClosure(["n0"], graph).size).toBe(size);
      expect(dependentClosure([`n${size - 1}`], graph).size).toBe(size);
      expect(criticalPath(graph, () => 1)).toBe(size);
    },
  );

  it("finds the cycle when the chain is closed", () => {
    const graph = chain(size, "head");
    graph.set(`n${size - 1}`, ["n0"]);
    const cycle = findCycle(graph)!;
    expect(cycle).toHaveLength(size + 1);
    expect(cycle[0]).toBe("n0");
    expect(cycle.at(-1)).toBe("n0");
  });
});

describe("dependencyOrder", () => {
  it("puts every daemon after its dependencies, level by level, stable within a level", () => {
    const graph = graphOf({ api: ["db", "cache"], web: ["api"], db: [], cache: [], log: [] });
    expect(dependencyOrder(graph.keys(), graph)).toEqual(["db", "cache", "log", "api", "web"]);
  });

  it("ignores dependencies outside the given names", () => {
    const graph = graphOf({ a: [], b: ["a"], c: ["b"] });
    expect(dependencyOrder(["c", "b"], graph)).toEqual(["b", "c"]);
  });

  it("is a topological order of any acyclic graph, even a 100,000-long chain", () => {
    const order = dependencyOrder(chain(100_000, "head").keys(), chain(100_000, "head"));
    expect(order[0]).toBe("n99999");
    expect(order.at(-1)).toBe("n0");
    fc.assert(
      fc.property(fc.array(fc.array(fc.nat(30), { maxLength: 4 }), { maxLength: 30 }), (rows) => {
        // Only edges to lower indices: acyclic by construction.
        const graph = new Map(
          rows.map((deps, i) => [`d${i}`, deps.filter((d) => d < i).map((d) => `d${d}`)]),
        );
        const position = new Map(dependencyOrder(graph.keys(), graph).map((name, i) => [name, i]));
        expect(position.size).toBe(graph.size);
        for (const [name, deps] of graph) {
          for (const dep of deps) expect(position.get(dep)!).toBeLessThan(position.get(name)!);
        }
      }),
    );
  });
});
