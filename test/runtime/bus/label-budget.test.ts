import { describe, expect, it, vi } from "vitest";
import { LabelBudget, OTHER_LABEL } from "../../../runtime/bus/label-budget.ts";

describe("LabelBudget", () => {
  it("admits values while the owner and the total have room, then answers other", () => {
    const onExhausted = vi.fn();
    const budget = new LabelBudget({ perOwner: 2, total: 3, onExhausted });
    expect(["a", "b", "c"].map((value) => budget.admit("x", value))).toEqual([
      "a",
      "b",
      OTHER_LABEL,
    ]);
    expect(budget.admit("y", "d")).toBe("d");
    expect(budget.admit("y", "e")).toBe(OTHER_LABEL);
    expect(budget.size).toBe(3);
    expect(onExhausted.mock.calls).toEqual([
      [{ kind: "owner", owner: "x", max: 2, value: "c" }],
      [{ kind: "total", owner: "y", max: 3, value: "e" }],
    ]);
  });

  it("a value that has a series keeps it, whoever brings it; reserved ones cost nothing", () => {
    const budget = new LabelBudget({ perOwner: 1, total: 1, reserved: ["DAEMON_STARTED"] });
    expect(budget.admit("x", "a")).toBe("a");
    expect(budget.admit("y", "a")).toBe("a");
    expect(budget.admit("x", "DAEMON_STARTED")).toBe("DAEMON_STARTED");
    expect(budget.admit("x", OTHER_LABEL)).toBe(OTHER_LABEL);
    expect(budget.size).toBe(1);
  });

  it("tells each exhausted owner once, however often it comes back", () => {
    const onExhausted = vi.fn();
    const budget = new LabelBudget({ perOwner: 1, total: 100, onExhausted });
    for (let n = 0; n < 10_000; n++) budget.admit("flood", `T${n}`);
    expect(onExhausted).toHaveBeenCalledTimes(1);
  });

  it("rejects limits that are not non-negative integers", () => {
    expect(() => new LabelBudget({ perOwner: -1, total: 1 })).toThrow(/perOwner .* got -1/);
    expect(() => new LabelBudget({ perOwner: 1, total: 0.5 })).toThrow(/total .* got 0.5/);
  });
});
