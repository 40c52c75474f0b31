/**
 * Benchmark (a): the cost of one supervised in-process daemon.
 *
 * Warden: `DaemonManager.register` ×N, `startAll()`, `stopAll()`, daemons whose start and stop
 * resolve at once. Baseline: N bare, standalone XState actors of the same lifecycle machine with
 * the same actor slots and a trivial driver, each started, sent START, awaited in RUNNING, sent
 * STOP and awaited in STOPPED. Both report wall time per daemon (everything from registration or
 * creation to all STOPPED, without the heap measurement) and heap retained per daemon while all
 * of them are RUNNING.
 */
import { createActor, type Actor } from "xstate";
import { startInstance, stopInstance, watchInstance } from "../actors/lifecycle-actors.ts";
import type { DaemonDriver } from "../machines/daemon-driver.ts";
import { daemonLifecycleMachine } from "../machines/daemon-lifecycle.ts";
import { resolvePolicy } from "../machines/daemon-policy.ts";
import { DaemonManager } from "../runtime/daemon-manager.ts";
import type { InProcessDaemon } from "../runtime/daemon-types.ts";
import { median, settledHeap } from "./stats.ts";

export interface CostSample {
  /** Wall time from the first registration (or creation) to all STOPPED, per daemon. */
  usPerDaemon: number;
  /** Heap retained per daemon while all are RUNNING. */
  bytesPerDaemon: number;
}

export interface CostResult {
  size: number;
  repeats: number;
  warden: CostSample;
  baseline: CostSample;
  /** warden / baseline. */
  timeRatio: number;
  heapRatio: number;
}

const lifecycleLogic = daemonLifecycleMachine.provide({
  actors: { startInstance, stopInstance, watchInstance },
});

type LifecycleActor = Actor<typeof lifecycleLogic>;

const noop = () => {};

/** A driver whose start and stop resolve at once; watch reports nothing. */
function trivialDriver(): DaemonDriver {
  return {
    start: () => Promise.resolve(),
    stop: () => Promise.resolve(),
    watch: () => noop,
    kill: noop,
  };
}

/** An in-process daemon whose start and stop resolve at once. */
function trivialDaemon(): InProcessDaemon {
  return { start: () => Promise.resolve(), stop: () => Promise.resolve() };
}

/** Resolves once every actor's snapshot value is `state`. */
function allIn(actors: readonly LifecycleActor[], state: string): Promise<void> {
  return new Promise((resolve) => {
    let remaining = actors.length;
    if (remaining === 0) return resolve();
    for (const actor of actors) {
      if (actor.getSnapshot().value === state) {
        if (--remaining === 0) resolve();
        continue;
      }
      const subscription = actor.subscribe((snapshot) => {
        if (snapshot.value !== state) return;
        subscription.unsubscribe();
        if (--remaining === 0) resolve();
      });
    }
  });
}

/** N bare lifecycle actors: start, START, all RUNNING, STOP, all STOPPED. */
export async function measureBaseline(size: number): Promise<CostSample> {
  const before = settledHeap();
  const t0 = performance.now();
  const actors: LifecycleActor[] = new Array(size);
  for (let i = 0; i < size; i++) {
    actors[i] = createActor(lifecycleLogic, {
      input: {
        name: `daemon-${i}`,
        policy: resolvePolicy(),
        driver: trivialDriver(),
        now: () => Date.now(),
        dependenciesReady: true,
      },
    });
  }
  const running = allIn(actors, "RUNNING");
  for (const actor of actors) {
    actor.start();
    actor.send({ type: "START" });
  }
  await running;
  const t1 = performance.now();
  const during = settledHeap();
  const t2 = performance.now();
  const stopped = allIn(actors, "STOPPED");
  for (const actor of actors) actor.send({ type: "STOP" });
  await stopped;
  const t3 = performance.now();
  for (const actor of actors) actor.stop();
  return {
    usPerDaemon: ((t1 - t0 + (t3 - t2)) * 1000) / size,
    bytesPerDaemon: (during - before) / size,
  };
}

/** N daemons through the DaemonManager: register ×N, startAll(), stopAll(). */
export async function measureWarden(size: number): Promise<CostSample> {
  const manager = new DaemonManager();
  const before = settledHeap();
  const t0 = performance.now();
  for (let i = 0; i < size; i++) manager.register(`daemon-${i}`, trivialDaemon());
  await manager.startAll();
  const t1 = performance.now();
  const during = settledHeap();
  const t2 = performance.now();
  await manager.stopAll();
  const t3 = performance.now();
  await manager.close();
  return {
    usPerDaemon: ((t1 - t0 + (t3 - t2)) * 1000) / size,
    bytesPerDaemon: (during - before) / size,
  };
}

export interface CostOptions {
  sizes: readonly number[];
  /** Repeats for a size; the largest size usually gets fewer. */
  repeats: (size: number) => number;
  /** Called after each sample, for progress output. */
  progress?: (message: string) => void;
}

function medianSample(samples: readonly CostSample[]): CostSample {
  return {
    usPerDaemon: median(samples.map((s) => s.usPerDaemon)),
    bytesPerDaemon: median(samples.map((s) => s.bytesPerDaemon)),
  };
}

/** Runs warden and the baseline alternately, `repeats(size)` times each, after one warm-up. */
export async function runDaemonCost(options: CostOptions): Promise<CostResult[]> {
  const results: CostResult[] = [];
  // Warm-up: let the JIT see both paths before anything is measured.
  await measureBaseline(Math.min(1_000, options.sizes[0] ?? 1_000));
  await measureWarden(Math.min(1_000, options.sizes[0] ?? 1_000));
  for (const size of options.sizes) {
    const repeats = options.repeats(size);
    const warden: CostSample[] = [];
    const baseline: CostSample[] = [];
    for (let r = 0; r < repeats; r++) {
      baseline.push(await measureBaseline(size));
      warden.push(await measureWarden(size));
      options.progress?.(
        `daemon-cost n=${size} run ${r + 1}/${repeats}: warden ${fmt(warden[r]!)}, bare ${fmt(baseline[r]!)}`,
      );
    }
    const w = medianSample(warden);
    const b = medianSample(baseline);
    results.push({
      size,
      repeats,
      warden: w,
      baseline: b,
      timeRatio: w.usPerDaemon / b.usPerDaemon,
      heapRatio: w.bytesPerDaemon / b.bytesPerDaemon,
    });
  }
  return results;
}

function fmt(sample: CostSample): string {
  return `${sample.usPerDaemon.toFixed(1)} µs, ${Math.round(sample.bytesPerDaemon)} B`;
}
