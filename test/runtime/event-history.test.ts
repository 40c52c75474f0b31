import { Subject } from "rxjs";
import { describe, expect, it } from "vitest";
import type { Envelope } from "../../runtime/envelope.ts";
import { EventHistory } from "../../runtime/event-history.ts";

function envelope(n: number, type = "TICK"): Envelope {
  return { id: `e-${n}`, type, source: "test", time: n, data: { n } };
}

function recorder(capacity?: number) {
  const events = new Subject<Envelope>();
  const history = new EventHistory(events, capacity);
  return { history, publish: (e: Envelope) => events.next(e) };
}

const ids = (list: Envelope[]) => list.map((e) => e.id);

describe("EventHistory", () => {
  it("keeps events oldest first", () => {
    const { history, publish } = recorder();
    expect(history.recent()).toEqual([]);
    for (let n = 1; n <= 3; n++) publish(envelope(n));
    expect(ids(history.recent())).toEqual(["e-1", "e-2", "e-3"]);
  });

  it("keeps only the last `capacity` events, in order, across many wraps", () => {
    const { history, publish } = recorder(3);
    for (let n = 1; n <= 10; n++) {
      publish(envelope(n));
      const kept = Array.from(
        { length: Math.min(n, 3) },
        (_, i) => `e-${n - Math.min(n, 3) + 1 + i}`,
      );
      expect(ids(history.recent())).toEqual(kept);
    }
  });

  it("limit keeps the newest; types filter before the limit", () => {
    const { history, publish } = recorder(5);
    ["A", "B", "A", "C", "A", "B"].forEach((type, n) => publish(envelope(n, type)));
    // e-0 fell out of the ring of 5.
    expect(ids(history.recent({ limit: 2 }))).toEqual(["e-4", "e-5"]);
    expect(ids(history.recent({ types: ["A"] }))).toEqual(["e-2", "e-4"]);
    expect(ids(history.recent({ types: ["A", "C"], limit: 2 }))).toEqual(["e-3", "e-4"]);
    expect(ids(history.recent({ types: [] }))).toEqual(["e-1", "e-2", "e-3", "e-4", "e-5"]);
    expect(history.recent({ limit: 0 })).toEqual([]);
    expect(ids(history.recent({ limit: 99 }))).toHaveLength(5);
    expect(history.recent({ types: ["Z"] })).toEqual([]);
  });

  it("counts every event ever published by type, not only the kept ones", () => {
    const { history, publish } = recorder(2);
    ["A", "B", "A", "A"].forEach((type, n) => publish(envelope(n, type)));
    expect(Object.fromEntries(history.counts())).toEqual({ A: 3, B: 1 });
  });

  it("stops recording at close(), keeping what it has", () => {
    const { history, publish } = recorder();
    publish(envelope(1));
    history.close();
    publish(envelope(2));
    expect(ids(history.recent())).toEqual(["e-1"]);
    expect(history.counts().get("TICK")).toBe(1);
  });

  it("rejects a capacity that is not a positive integer", () => {
    expect(() => recorder(0)).toThrow(/positive integer, got 0/);
    expect(() => recorder(1.5)).toThrow(RangeError);
  });
});
