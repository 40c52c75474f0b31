import { describe, expect, it } from "vitest";
import { clockOffset, isStale, nodeChanges } from "../../../runtime/cluster/node-staleness.ts";

describe("isStale", () => {
  it("is stale only once the record is older than its TTL", () => {
    expect(isStale(10_000, 15_000, 25_000)).toBe(false);
    expect(isStale(10_000, 15_000, 25_001)).toBe(true);
  });

  it("clamps a TTL a hostile record claims to the allowed range", () => {
    expect(isStale(0, 0, 1_001)).toBe(true); // at least 1 s
    expect(isStale(0, Number.MAX_SAFE_INTEGER, 3_600_001)).toBe(true); // at most an hour
  });
});

describe("clockOffset", () => {
  it("is the server's clock minus this node's", () => {
    expect(clockOffset(1_000_500, 1_000_000)).toBe(500);
    expect(clockOffset(1_000_000, 1_000_500)).toBe(-500);
  });
});

describe("nodeChanges", () => {
  const lastSeen = () => 42;

  it("loses a node that went stale and welcomes one that came back or is new", () => {
    const before = new Map([
      ["a", false],
      ["b", true],
      ["c", false],
    ]);
    const now = new Map([
      ["a", true],
      ["b", false],
      ["c", false],
      ["d", false],
    ]);
    expect(nodeChanges(before, now, lastSeen)).toEqual([
      { type: "NODE_LOST", node: "a", lastSeen: 42 },
      { type: "NODE_JOINED", node: "b" },
      { type: "NODE_JOINED", node: "d" },
    ]);
  });

  it("says nothing of a node stale all along, or first seen stale", () => {
    expect(
      nodeChanges(
        new Map([["a", true]]),
        new Map([
          ["a", true],
          ["e", true],
        ]),
        lastSeen,
      ),
    ).toEqual([]);
  });
});
