/** The conflict relation (SPEC §6a): symmetric whichever side declares it, never reflexive. */
import { describe, expect, it } from "vitest";
import { conflictRelation, conflictingPairs } from "../../machines/daemon-conflicts.ts";

describe("daemon conflicts", () => {
  it("is symmetric and ignores a daemon naming itself", () => {
    const relation = conflictRelation(new Map([["a", ["b", "a"]]]));
    expect(relation.get("a")).toEqual(new Set(["b"]));
    expect(relation.get("b")).toEqual(new Set(["a"]));
  });

  it("lists each conflicting pair of a selection once, in its order", () => {
    const declared = new Map([
      ["c", ["a"]],
      ["a", ["c"]],
      ["b", []],
    ]);
    expect(conflictingPairs(["a", "b", "c"], declared)).toEqual([["a", "c"]]);
    expect(conflictingPairs(["a", "b"], declared)).toEqual([]);
  });
});
