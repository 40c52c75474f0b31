import { describe, expect, it } from "vitest";
import { stopWaves } from "../../cli/stop-waves.ts";

const graph = (edges: Record<string, string[]>) =>
  Object.entries(edges).map(([name, dependsOn]) => ({ name, dependsOn }));

// db ← cache ← api ← web, db ← queue ← worker; metrics stands alone.
const daemons = graph({
  db: [],
  cache: ["db"],
  api: ["cache"],
  web: ["api"],
  queue: ["db"],
  worker: ["queue"],
  metrics: [],
});

describe("stopWaves", () => {
  it("stops every daemon dependents first, in parallel where the graph allows", () => {
    expect(
      stopWaves(
        daemons.map((d) => d.name),
        daemons,
      ),
    ).toEqual([["web", "worker", "metrics"], ["api", "queue"], ["cache"], ["db"]]);
  });

  it("orders chosen daemons through dependents that are not chosen", () => {
    expect(stopWaves(["db", "web"], daemons)).toEqual([["web"], ["db"]]);
  });

  it("stops unrelated daemons together, in the order given, once each", () => {
    expect(stopWaves(["metrics", "worker", "api", "worker"], daemons)).toEqual([
      ["metrics", "worker", "api"],
    ]);
  });

  it("handles a 10,000-daemon chain without deep recursion", () => {
    const chain = Array.from({ length: 10_000 }, (_, i) => ({
      name: `d${i}`,
      dependsOn: i === 0 ? [] : [`d${i - 1}`],
    }));
    const waves = stopWaves(["d0", "d5000", "d9999"], chain);
    expect(waves).toEqual([["d9999"], ["d5000"], ["d0"]]);
  });
});
