/**
 * DLQ_RETRY (runtime/builtins/dlq-retry.ts) in a manager on a simulated clock: retries with the
 * policy's delays, parks after maxAttempts and says so, delivers and removes what recovers,
 * waits for a subscriber that is away, works in bounded batches, and does not feed on its own
 * announcements. No real sleeps.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { DaemonContext, InProcessDaemon } from "../../../actors/daemon-types.ts";
import type { Envelope } from "../../../machines/envelope.ts";
import { dlqRetryDaemon, type DlqRetryDaemon } from "../../../runtime/builtins/dlq-retry.ts";
import { Simulation } from "../../support/simulated-runtime.ts";

const T0 = 1_700_000_000_000;
const sims: Simulation[] = [];
afterEach(async () => {
  for (const sim of sims.splice(0)) await sim.close();
});

/** A daemon subscribed to `type` whose handler fails while `failing()` says so. */
function subscriber(sim: Simulation, type: string, failing: () => boolean) {
  const calls: number[] = [];
  let subscription: { unsubscribe(): void } | undefined;
  const daemon: InProcessDaemon = {
    start(ctx: DaemonContext) {
      subscription = ctx.bus.subscribe(type, () => {
        calls.push(sim.clock.now() - T0);
        if (failing()) throw new Error(`failure ${calls.length}`);
      });
    },
    stop() {
      subscription?.unsubscribe();
    },
  };
  return { daemon, calls };
}

async function setUp(dlq?: unknown, options: { batchSize?: number } = {}) {
  const sim = new Simulation();
  sims.push(sim);
  sim.clock.set(T0);
  const retry = dlqRetryDaemon({ bus: sim.manager.bus, clock: sim.clock, dlq, ...options });
  sim.manager.register("DLQ_RETRY", retry);
  const dlqEvents = () =>
    sim.events
      .filter((event) => event.type.startsWith("DLQ_"))
      .map((event) => ({ event: event.type, source: event.source, ...(event.data as object) }));
  return { sim, retry: retry as DlqRetryDaemon, queue: sim.manager.bus.deadLetters, dlqEvents };
}

describe("DLQ_RETRY", () => {
  it("retries an always-failing delivery after 1, 2, 4 and 8 s, then parks it and says so", async () => {
    const { sim, retry, queue, dlqEvents } = await setUp();
    const worker = subscriber(sim, "JOB", () => true);
    sim.manager.register("worker", worker.daemon);
    await sim.run(sim.manager.startAll());
    const start = sim.clock.now() - T0;
    const job = sim.manager.bus.publish("JOB", { n: 1 }, "test");
    expect(queue.list()).toMatchObject([{ id: "dl-1", attempts: 1, parked: false }]);

    await sim.advance(10 * 60_000);
    expect(worker.calls.map((at) => at - start)).toEqual([0, 1000, 3000, 7000, 15000]);
    expect(queue.list()).toEqual([
      {
        id: "dl-1",
        event: job,
        subscriber: "worker",
        error: "failure 5",
        attempts: 5,
        firstFailedAt: T0 + start,
        lastFailedAt: T0 + start + 15_000,
        nextRetryAt: null,
        parked: true,
      },
    ]);
    expect(dlqEvents()).toEqual([
      {
        event: "DLQ_PARKED",
        source: "DLQ_RETRY",
        id: "dl-1",
        subscriber: "worker",
        type: "JOB",
        eventId: job.id,
        attempts: 5,
        error: "failure 5",
      },
    ]);
    expect(retry.getMetrics()).toEqual({
      entries: 1,
      parked: 1,
      retried: 4,
      delivered: 0,
      failed: 4,
      deferred: 0,
      evicted: 0,
    });
  });

  it("delivers and removes an entry once its subscriber recovers, and a parked one retried by hand", async () => {
    const { sim, retry, queue, dlqEvents } = await setUp({ maxAttempts: 2 });
    let failing = true;
    const worker = subscriber(sim, "JOB", () => failing);
    sim.manager.register("worker", worker.daemon);
    await sim.run(sim.manager.startAll());
    const job = sim.manager.bus.publish("JOB", {}, "test");
    await sim.advance(60_000);
    expect(queue.get("dl-1")!.parked).toBe(true);

    failing = false;
    const before = worker.calls.length;
    expect(queue.retry(["dl-1"], sim.clock.now())).toEqual({ ids: ["dl-1"], unknown: [] });
    await sim.settle();
    expect(worker.calls).toHaveLength(before + 1);
    expect(queue.size).toBe(0);
    expect(dlqEvents().map((event) => event.event)).toEqual(["DLQ_PARKED", "DLQ_DELIVERED"]);
    expect(dlqEvents()[1]).toMatchObject({ id: "dl-1", subscriber: "worker", eventId: job.id });
    expect(retry.getMetrics()).toMatchObject({ entries: 0, delivered: 1 });
  });

  it("delivers on the first retry a subscriber that failed once", async () => {
    const { sim, queue } = await setUp();
    let fails = 1;
    const worker = subscriber(sim, "JOB", () => fails-- > 0);
    sim.manager.register("worker", worker.daemon);
    await sim.run(sim.manager.startAll());
    const start = sim.clock.now() - T0;
    sim.manager.bus.publish("JOB", {}, "test");
    await sim.advance(999);
    expect(queue.size).toBe(1);
    await sim.advance(1);
    expect(queue.size).toBe(0);
    expect(worker.calls.map((at) => at - start)).toEqual([0, 1000]);
  });

  it("leaves an entry whose subscriber is stopped, uncounted, and delivers once it runs again", async () => {
    const { sim, retry, queue } = await setUp();
    let failing = true;
    const worker = subscriber(sim, "JOB", () => failing);
    sim.manager.register("worker", worker.daemon);
    await sim.run(sim.manager.startAll());
    sim.manager.bus.publish("JOB", {}, "test");
    await sim.run(sim.manager.stop("worker"));
    await sim.advance(10 * 60_000);
    expect(queue.get("dl-1")).toMatchObject({ attempts: 1, parked: false });
    expect(retry.getMetrics().deferred).toBeGreaterThan(0);
    failing = false;
    await sim.run(sim.manager.start("worker"));
    await sim.advance(2_000);
    expect(queue.size).toBe(0);
  });

  it("works through many due entries a bounded batch at a time", async () => {
    const { sim, retry, queue } = await setUp(undefined, { batchSize: 10 });
    let failing = true;
    const worker = subscriber(sim, "JOB", () => failing);
    sim.manager.register("worker", worker.daemon);
    await sim.run(sim.manager.startAll());
    for (let n = 0; n < 95; n++) sim.manager.bus.publish("JOB", { n }, "test");
    expect(queue.size).toBe(95);
    failing = false;
    await sim.advance(1000);
    expect(queue.size).toBe(0);
    expect(retry.getMetrics()).toMatchObject({ delivered: 95, retried: 95 });
  });

  it("ends everything of a subscriber that always throws parked, without feeding on its own events (SPEC §7 fault)", async () => {
    const { sim, queue } = await setUp({ maxAttempts: 3 });
    const seen: Envelope[] = [];
    const everything: InProcessDaemon = {
      start(ctx) {
        ctx.bus.subscribe("*", (event) => {
          seen.push(event);
          throw new Error(`cannot handle ${event.type}`);
        });
      },
      stop() {},
    };
    sim.manager.register("everything", everything);
    await sim.run(sim.manager.startAll());
    for (let n = 0; n < 20; n++) sim.manager.bus.publish("JOB", { n }, "test");
    await sim.advance(60 * 60_000);
    const letters = queue.list();
    expect(letters.every((letter) => letter.parked)).toBe(true);
    const jobs = letters.filter((letter) => letter.event.type === "JOB");
    expect(jobs).toHaveLength(20);
    const own = letters.filter((letter) => letter.event.source === "DLQ_RETRY");
    // One DLQ_PARKED per other entry (the jobs, and the lifecycle events it saw), each of them
    // parked in turn without an announcement of its own.
    expect(own.every((letter) => letter.event.type === "DLQ_PARKED")).toBe(true);
    expect(own).toHaveLength(letters.length - own.length);
    const size = queue.size;
    await sim.advance(60 * 60_000);
    expect(queue.size).toBe(size);
    expect(sim.manager.stateOf("everything")).toBe("RUNNING");
  });

  it("takes its policy from the configuration's dlq and refuses a bad one", () => {
    const sim = new Simulation();
    sims.push(sim);
    expect(() => dlqRetryDaemon({ bus: sim.manager.bus, dlq: { maxAttempts: 0 } })).toThrow(
      /maxAttempts/,
    );
    expect(() => dlqRetryDaemon({ bus: sim.manager.bus, dlq: "often" })).toThrow(/object/);
    dlqRetryDaemon({ bus: sim.manager.bus, dlq: { maxAttempts: 1 } });
    expect(
      sim.manager.bus.deadLetters.add(
        { id: "e", type: "T", source: "s", time: 0, data: 1 },
        "w",
        "x",
        0,
      ).parked,
    ).toBe(true);
  });
});
