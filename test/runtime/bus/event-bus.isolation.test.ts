import { SimulatedClock } from "xstate";
import { describe, expect, it } from "vitest";
import { DeadLetterQueue } from "../../../runtime/bus/dead-letter-queue.ts";
import type { Envelope } from "../../../machines/envelope.ts";
import { EventBus } from "../../../runtime/bus/event-bus.ts";
import { flush } from "../../support/simulated-runtime.ts";

function busOnClock(): { bus: EventBus; clock: SimulatedClock } {
  const clock = new SimulatedClock();
  clock.set(1_700_000_000_000);
  return { bus: new EventBus({ clock }), clock };
}

describe("EventBus: isolation of subscribers", () => {
  it("keeps delivering to everyone when one subscriber throws", () => {
    const { bus } = busOnClock();
    const before: number[] = [];
    const after: number[] = [];
    const all: string[] = [];
    bus.subscribe<"TICK">("TICK", (event) => void before.push((event.data as { n: number }).n));
    bus.subscribe(
      "TICK",
      () => {
        throw new Error("boom");
      },
      { subscriber: "thrower" },
    );
    bus.subscribe<"TICK">("TICK", (event) => void after.push((event.data as { n: number }).n));
    bus.subscribe("*", (event) => void all.push(event.type));

    expect(() => bus.publish("TICK", { n: 1 })).not.toThrow();
    expect(() => bus.publish("TICK", { n: 2 })).not.toThrow();

    expect(before).toEqual([1, 2]);
    expect(after).toEqual([1, 2]);
    expect(all).toEqual(["TICK", "TICK"]);
    const letters = bus.deadLetters.list();
    expect(letters).toHaveLength(2);
    expect(letters.map((letter) => letter.subscriber)).toEqual(["thrower", "thrower"]);
    expect(letters.map((letter) => letter.error)).toEqual(["boom", "boom"]);
    expect(letters.map((letter) => letter.event.data)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it("dead-letters a rejected async handler without harming publisher or others", async () => {
    const { bus, clock } = busOnClock();
    const received: string[] = [];
    bus.subscribe(
      "JOB",
      async () => {
        await Promise.resolve();
        throw new Error("async boom");
      },
      { subscriber: "rejecter" },
    );
    bus.subscribe("JOB", (event) => {
      received.push(event.id);
    });

    const envelope = bus.publish("JOB", { id: 7 }, "scheduler");
    expect(received).toEqual([envelope.id]);
    expect(bus.deadLetters.size).toBe(0); // not yet: the rejection lands later
    clock.increment(250);
    await flush();

    const [letter] = bus.deadLetters.list();
    expect(bus.deadLetters.size).toBe(1);
    expect(letter).toMatchObject({
      subscriber: "rejecter",
      error: "async boom",
      attempts: 1,
      event: { id: envelope.id, type: "JOB", source: "scheduler", data: { id: 7 } },
    });
    // Stamped with the bus clock at the time of the failure.
    expect(letter!.firstFailedAt).toBe(1_700_000_000_250);
    expect(letter!.lastFailedAt).toBe(1_700_000_000_250);
    bus.publish("JOB", { id: 8 });
    expect(received).toHaveLength(2);
  });

  it("names an unnamed subscriber 'anonymous' and keeps non-Error throws", () => {
    const { bus } = busOnClock();
    bus.subscribe("X", () => {
      throw "plain string";
    });
    bus.subscribe("X", () => {
      throw { code: 42 };
    });
    bus.publish("X", {});
    expect(bus.deadLetters.list().map(({ subscriber, error }) => ({ subscriber, error }))).toEqual([
      { subscriber: "anonymous", error: "plain string" },
      { subscriber: "anonymous", error: '{"code":42}' },
    ]);
  });

  it("emits each dead letter on added$ as it arrives", () => {
    const { bus } = busOnClock();
    const seen: string[] = [];
    bus.deadLetters.added$.subscribe((letter) => seen.push(letter.subscriber));
    bus.subscribe(
      "X",
      () => {
        throw new Error("no");
      },
      { subscriber: "s1" },
    );
    bus.publish("X", {});
    expect(seen).toEqual(["s1"]);
  });

  it("dead-letters a throwing handler of a bus client under the client's name", () => {
    const { bus } = busOnClock();
    const ran: string[] = [];
    const client = bus.client("AUTO_SYNC", (fn) => {
      ran.push("wrapped");
      return fn();
    });
    client.subscribe("PING", () => {
      throw new Error("sync failed");
    });
    const sent = client.publish("PING", {});
    expect(sent.source).toBe("AUTO_SYNC");
    expect(ran).toEqual(["wrapped"]);
    expect(bus.deadLetters.list()[0]).toMatchObject({
      subscriber: "AUTO_SYNC",
      error: "sync failed",
    });
  });

  it("uses a dead-letter queue it is given, bounded by its capacity", () => {
    const clock = new SimulatedClock();
    const deadLetters = new DeadLetterQueue({ maxEntries: 2 });
    const bus = new EventBus({ clock, deadLetters });
    bus.subscribe("X", () => {
      throw new Error("no");
    });
    for (let n = 0; n < 3; n++) bus.publish("X", { n });
    expect(bus.deadLetters).toBe(deadLetters);
    expect(deadLetters.list().map((letter) => letter.event.data)).toEqual([{ n: 1 }, { n: 2 }]);
  });
});

describe("EventBus: routing", () => {
  it("delivers a typed subscription only its type, and '*' every type", () => {
    const { bus } = busOnClock();
    const disk: string[] = [];
    const everything: string[] = [];
    bus.subscribe("DISK_USAGE", (event) => void disk.push(event.type));
    bus.subscribe("*", (event) => void everything.push(event.type));
    bus.publish("DISK_USAGE", { percent: 71 });
    bus.publish("CPU_USAGE", { percent: 12 });
    bus.publish("DAEMON_STARTED", { daemon: "db", from: "STARTING" });
    expect(disk).toEqual(["DISK_USAGE"]);
    expect(everything).toEqual(["DISK_USAGE", "CPU_USAGE", "DAEMON_STARTED"]);
  });

  it("stops delivering after unsubscribe", () => {
    const { bus } = busOnClock();
    const seen: number[] = [];
    const subscription = bus.subscribe(
      "X",
      (event) => void seen.push((event.data as { n: number }).n),
    );
    bus.publish("X", { n: 1 });
    subscription.unsubscribe();
    bus.publish("X", { n: 2 });
    expect(seen).toEqual([1]);
  });

  it("exposes types as Observables: on(type) and events$", () => {
    const { bus } = busOnClock();
    const typed: unknown[] = [];
    const all: string[] = [];
    bus.on("A").subscribe((event) => void typed.push(event.data));
    bus.events$.subscribe((event) => void all.push(event.type));
    bus.publish("A", 1);
    bus.publish("B", 2);
    expect(typed).toEqual([1]);
    expect(all).toEqual(["A", "B"]);
  });

  it("wraps every event in an envelope with id, type, source, time and data", () => {
    const { bus, clock } = busOnClock();
    const seen: Envelope[] = [];
    bus.subscribe("*", (event) => {
      seen.push(event);
    });
    const first = bus.publish("DISK_USAGE", { percent: 71 }, "disk-monitor");
    clock.increment(1500);
    const second = bus.publish("DISK_USAGE", { percent: 72 });

    expect(seen).toEqual([first, second]);
    expect(first).toEqual({
      id: expect.any(String),
      type: "DISK_USAGE",
      source: "disk-monitor",
      time: 1_700_000_000_000,
      data: { percent: 71 },
    });
    expect(second.source).toBe("warden");
    expect(second.time).toBe(1_700_000_001_500);
    expect(second.id).not.toBe(first.id);
    expect("node" in first).toBe(false);
  });

  it("stamps the node on every envelope when one is set, and delivers foreign envelopes as they are", () => {
    const clock = new SimulatedClock();
    const bus = new EventBus({ clock, node: "gpu-7" });
    const seen: Envelope[] = [];
    bus.subscribe("*", (event) => {
      seen.push(event);
    });
    expect(bus.publish("X", {}).node).toBe("gpu-7");
    const foreign: Envelope = { id: "remote-1", type: "Y", source: "elsewhere", time: 5, data: 1 };
    bus.deliver(foreign);
    expect(seen[1]).toBe(foreign);
  });

  it("gives envelopes unique ids", () => {
    const { bus } = busOnClock();
    const ids = new Set(Array.from({ length: 1000 }, () => bus.publish("X", {}).id));
    expect(ids.size).toBe(1000);
  });
});
