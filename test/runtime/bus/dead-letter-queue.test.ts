/**
 * The dead-letter queue in memory (runtime/bus/dead-letter-queue.ts): SPEC §5 entries, the
 * policy's standing after each failure, retry and purge by hand, and its bounds.
 */
import { describe, expect, it } from "vitest";
import { DeadLetterQueue } from "../../../runtime/bus/dead-letter-queue.ts";
import { dlqPolicy } from "../../../machines/dlq-policy.ts";
import type { Envelope } from "../../../machines/envelope.ts";

const event = (n: number, type = "JOB"): Envelope => ({
  id: `e-${n}`,
  type,
  source: "test",
  time: n,
  data: { n },
});

describe("DeadLetterQueue", () => {
  it("keeps entries in the shape of SPEC §5, due after initialMs", () => {
    const queue = new DeadLetterQueue();
    const letter = queue.add(event(1), "worker", "boom", 5_000);
    expect(letter).toEqual({
      id: "dl-1",
      event: event(1),
      subscriber: "worker",
      error: "boom",
      attempts: 1,
      firstFailedAt: 5_000,
      lastFailedAt: 5_000,
      nextRetryAt: 6_000,
      parked: false,
    });
    expect(queue.list()).toEqual([letter]);
    expect(queue.due(5_999, 10)).toEqual([]);
    expect(queue.due(6_000, 10)).toEqual([letter]);
    expect(queue.nextDueAt()).toBe(6_000);
  });

  it("counts failed retries with backoff and parks after maxAttempts", () => {
    const queue = new DeadLetterQueue({ policy: dlqPolicy({ maxAttempts: 3 }) });
    const { id } = queue.add(event(1), "worker", "boom", 0);
    expect(queue.failed(id, "again", 1_000)).toMatchObject({
      attempts: 2,
      nextRetryAt: 3_000,
      parked: false,
      error: "again",
      lastFailedAt: 1_000,
      firstFailedAt: 0,
    });
    expect(queue.failed(id, "still", 3_000)).toMatchObject({
      attempts: 3,
      nextRetryAt: null,
      parked: true,
    });
    expect(queue.parkedCount).toBe(1);
    expect(queue.nextDueAt()).toBeUndefined();
    expect(queue.due(1e12, 10)).toEqual([]);
  });

  it("retries by hand with a fresh series, due now, parked ones too; reports unknown ids", () => {
    const queue = new DeadLetterQueue({ policy: dlqPolicy({ maxAttempts: 1 }) });
    const { id } = queue.add(event(1), "worker", "boom", 0);
    expect(queue.get(id)!.parked).toBe(true);
    const woken: number[] = [];
    queue.due$.subscribe((at) => woken.push(at));
    expect(queue.retry([id, "dl-9"], 50)).toEqual({ ids: [id], unknown: ["dl-9"] });
    expect(queue.get(id)).toMatchObject({ attempts: 0, parked: false, nextRetryAt: 50 });
    expect(queue.parkedCount).toBe(0);
    expect(woken).toEqual([50]);
    // The next failure is attempt 1 of the new series: parked again at once with maxAttempts 1.
    expect(queue.failed(id, "no", 60)!.parked).toBe(true);
  });

  it("purges by id or all, and filters by type, subscriber and parked", () => {
    const queue = new DeadLetterQueue();
    queue.add(event(1, "A"), "s1", "x", 0);
    queue.add(event(2, "B"), "s2", "x", 0);
    queue.add(event(3, "A"), "s2", "x", 0);
    expect(queue.list({ types: ["A"] }).map((l) => l.id)).toEqual(["dl-1", "dl-3"]);
    expect(queue.list({ subscriber: "s2" }).map((l) => l.id)).toEqual(["dl-2", "dl-3"]);
    expect(queue.list({ parked: true })).toEqual([]);
    expect(queue.purge(["dl-2", "nope"])).toEqual({ ids: ["dl-2"], unknown: ["nope"] });
    expect(queue.purge("all")).toEqual({ ids: ["dl-1", "dl-3"], unknown: [] });
    expect(queue.size).toBe(0);
    expect(queue.byteCount).toBe(0);
  });

  it("is bounded in entries: the longest-parked entry makes room first, else the oldest", () => {
    const queue = new DeadLetterQueue({ maxEntries: 3, policy: dlqPolicy({ maxAttempts: 2 }) });
    queue.add(event(1), "s", "x", 0);
    queue.add(event(2), "s", "x", 0);
    queue.failed("dl-2", "x", 1); // parked
    queue.add(event(3), "s", "x", 0);
    queue.add(event(4), "s", "x", 0);
    expect(queue.list().map((l) => l.id)).toEqual(["dl-1", "dl-3", "dl-4"]);
    queue.add(event(5), "s", "x", 0);
    expect(queue.list().map((l) => l.id)).toEqual(["dl-3", "dl-4", "dl-5"]);
    expect(queue.evicted).toBe(2);
  });

  it("is bounded in bytes, and cuts huge errors", () => {
    const queue = new DeadLetterQueue({ maxBytes: 10_000 });
    for (let n = 0; n < 100; n++) queue.add(event(n), "s", "e".repeat(1_000_000), 0);
    expect(queue.byteCount).toBeLessThanOrEqual(10_000);
    expect(queue.size).toBeGreaterThan(1);
    expect(queue.list()[0]!.error.length).toBeLessThan(5_000);
    expect(queue.evicted).toBe(100 - queue.size);
  });

  it("stays bounded and quick under a subscriber failing 100,000 times", () => {
    const queue = new DeadLetterQueue({ maxEntries: 1000 });
    const started = performance.now();
    for (let n = 0; n < 100_000; n++) queue.add(event(n), "hot", "boom", n);
    expect(queue.size).toBe(1000);
    expect(queue.evicted).toBe(99_000);
    expect(queue.list()[0]!.event.id).toBe("e-99000");
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
