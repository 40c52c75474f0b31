import { describe, expect, it } from "vitest";
import { mergeMetrics } from "../../actors/daemon-metrics.ts";
import { MAX_METRICS_PER_DAEMON } from "../../actors/notify-message.ts";

describe("mergeMetrics", () => {
  it("updates known names and adds new ones, in place", () => {
    const metrics: Record<string, number | string> = {};
    expect(mergeMetrics(metrics, { loss: 0.3, phase: "train" })).toBe(0);
    expect(mergeMetrics(metrics, { loss: 0.25 })).toBe(0);
    expect(metrics).toEqual({ loss: 0.25, phase: "train" });
  });

  it(`keeps at most ${MAX_METRICS_PER_DAEMON} names; known ones still update`, () => {
    const metrics: Record<string, number | string> = {};
    let dropped = 0;
    for (let line = 0; line < 1000; line++) {
      dropped += mergeMetrics(metrics, { [`m${line}`]: line, m0: -line });
    }
    expect(Object.keys(metrics)).toHaveLength(MAX_METRICS_PER_DAEMON);
    expect(dropped).toBe(1000 - MAX_METRICS_PER_DAEMON);
    expect(metrics.m0).toBe(-999);
    expect(metrics).not.toHaveProperty(`m${MAX_METRICS_PER_DAEMON}`);
    expect(mergeMetrics(metrics, { a: 1, b: 2 }, MAX_METRICS_PER_DAEMON + 1)).toBe(1);
  });

  it("keeps __proto__ a plain name, never the prototype", () => {
    const metrics: Record<string, number | string> = {};
    const update = JSON.parse('{"__proto__": 1, "b": "x"}') as Record<string, number | string>;
    mergeMetrics(metrics, update);
    mergeMetrics(metrics, JSON.parse('{"__proto__": 2}') as Record<string, number | string>);
    expect(Object.getPrototypeOf(metrics)).toBe(Object.prototype);
    expect(Object.keys(metrics)).toEqual(["__proto__", "b"]);
    expect({ ...metrics }).toHaveProperty(["__proto__"], 2);
  });
});
