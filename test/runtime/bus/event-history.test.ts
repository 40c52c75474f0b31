import { Subject } from "rxjs";
import { describe, expect, it, vi } from "vitest";
import type { Envelope } from "../../../machines/envelope.ts";
import {
  EventHistory,
  MAX_EVENT_TYPES,
  MAX_EVENT_TYPES_PER_SOURCE,
} from "../../../runtime/bus/event-history.ts";
import { OTHER_LABEL } from "../../../runtime/bus/label-budget.ts";
import type { Logger } from "../../../runtime/logger.ts";

function envelope(n: number, type = "TICK", source = "test"): Envelope {
  return { id: `e-${n}`, type, source, time: n, data: { n } };
}

const sum = (counts: ReadonlyMap<string, number>) =>
  [...counts.values()].reduce((a, b) => a + b, 0);

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

  describe("counts by type are bounded (SPEC §13)", () => {
    function flooded() {
      const events = new Subject<Envelope>();
      const warn = vi.fn();
      const history = new EventHistory(events, 10, { logger: { warn } as unknown as Logger });
      return { history, warn, publish: (e: Envelope) => events.next(e) };
    }

    it("a source's types beyond its cap count as other, with one warning", () => {
      const { history, warn, publish } = flooded();
      const flood = 100_000;
      for (let n = 0; n < flood; n++) publish(envelope(n, `T${n}`, "flood"));

      const counts = history.counts();
      expect(counts.size).toBe(MAX_EVENT_TYPES_PER_SOURCE + 1);
      expect(counts.get(OTHER_LABEL)).toBe(flood - MAX_EVENT_TYPES_PER_SOURCE);
      expect(counts.get("T0")).toBe(1);
      expect(sum(counts)).toBe(flood);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]![0]).toMatchObject({ source: "flood" });
      expect(warn.mock.calls[0]![1]).toMatch(/"flood".*100 event types.*"other"/);
    });

    it("admitted types keep counting under their name, whoever publishes them", () => {
      const { history, publish } = flooded();
      for (let n = 0; n < 500; n++) publish(envelope(n, `T${n}`, "flood"));
      publish(envelope(1, "T1", "quiet"));
      publish(envelope(2, "NEW", "quiet"));
      expect(history.counts().get("T1")).toBe(2);
      expect(history.counts().get("NEW")).toBe(1);
    });

    it("all sources together stay within the total cap; lifecycle types are always their own", () => {
      const { history, warn, publish } = flooded();
      let published = 0;
      for (let source = 0; source < 30; source++) {
        for (let n = 0; n < MAX_EVENT_TYPES_PER_SOURCE; n++) {
          publish(envelope(published++, `S${source}-T${n}`, `daemon-${source}`));
        }
      }
      publish(envelope(published++, "DAEMON_HEALTH_CHANGED", "warden"));

      const counts = history.counts();
      expect(counts.size).toBeLessThanOrEqual(MAX_EVENT_TYPES + 1 + 7);
      expect(counts.get("DAEMON_HEALTH_CHANGED")).toBe(1);
      expect(counts.get(OTHER_LABEL)).toBe(30 * MAX_EVENT_TYPES_PER_SOURCE - MAX_EVENT_TYPES);
      expect(sum(counts)).toBe(published);
      // Once for the total, however many sources then ran into it.
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]![1]).toMatch(/1000 event types/);
    });
  });
});
