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
import { NEVER } from "rxjs";
import { createActor, type Actor } from "xstate";
import { lifecycleImplementations, type DaemonDriver } from "../actors/lifecycle-actors.ts";
import { daemonLifecycleMachine } from "../machines/daemon-lifecycle.ts";
import { resolvePolicy } from "../machines/daemon-policy.ts";
import { DaemonManager } from "../runtime/manager/daemon-manager.ts";
import type { InProcessDaemon } from "../actors/daemon-types.ts";
import { median, quietHeap, settledHeap } from "./stats.ts";

export interface CostSample {
  /** Wall time from the first registration (or creation) to all STOPPED, per daemon. */
  usPerDaemon: number;
  /** Heap retained per daemon while all are RUNNING. */
  bytesPerDaemon: number;
  /** Warden only, not part of the comparison: `close()` after `stopAll()`, per daemon. */
  closeUsPerDaemon?: number;
}

export interface CostResult {
  size: number;
  repeats: number;
  warden: CostSample;
  baseline: CostSample;
  /** warden / baseline. */
  timeRatio: number;
  heapRatio: number;
  /** Every sample, in the order taken. */
  samples: { warden: CostSample[]; baseline: CostSample[] };
}

/** The baseline's drivers by daemon name, as a manager's actor system keeps them. */
const drivers = new Map<string, DaemonDriver>();
const lifecycleLogic = daemonLifecycleMachine.provide(
  lifecycleImplementations((name) => drivers.get(name)),
);

type LifecycleActor = Actor<typeof lifecycleLogic>;

const noop = () => {};

/** A driver whose start and stop resolve at once; it reports nothing. */
function trivialDriver(): DaemonDriver {
  return {
    start: () => Promise.resolve(),
    stop: () => Promise.resolve(),
    reports: () => NEVER,
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
  const before = await quietHeap();
  const t0 = performance.now();
  const actors: LifecycleActor[] = new Array(size);
  for (let i = 0; i < size; i++) {
    drivers.set(`daemon-${i}`, trivialDriver());
    actors[i] = createActor(lifecycleLogic, {
      input: {
        name: `daemon-${i}`,
        policy: resolvePolicy(),
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
  drivers.clear();
  return {
    usPerDaemon: ((t1 - t0 + (t3 - t2)) * 1000) / size,
    bytesPerDaemon: (during - before) / size,
  };
}

/**
 * N daemons through the DaemonManager: register ×N, startAll(), stopAll(). With `close`, the
 * manager is closed afterwards and the close timed; without, it is left to the garbage collector
 * (everything is STOPPED, no timer is pending), which saves a full run's time at 100,000 daemons.
 */
export async function measureWarden(size: number, close = true): Promise<CostSample> {
  // Only close() removes the process-wide error handlers, so an unclosed manager installs none.
  const manager = new DaemonManager(close ? {} : { captureEscapedErrors: false });
  const before = await quietHeap();
  const t0 = performance.now();
  for (let i = 0; i < size; i++) manager.register(`daemon-${i}`, trivialDaemon());
  await manager.startAll();
  const t1 = performance.now();
  const during = settledHeap();
  const t2 = performance.now();
  await manager.stopAll();
  const t3 = performance.now();
  for (let i = 0; i < size; i++) {
    const state = manager.stateOf(`daemon-${i}`);
    if (state !== "STOPPED") throw new Error(`daemon-${i} is ${state} after stopAll()`);
  }
  const sample: CostSample = {
    usPerDaemon: ((t1 - t0 + (t3 - t2)) * 1000) / size,
    bytesPerDaemon: (during - before) / size,
  };
  if (close) {
    const t4 = performance.now();
    await manager.close();
    sample.closeUsPerDaemon = ((performance.now() - t4) * 1000) / size;
  }
  return sample;
}

export interface CostOptions {
  sizes: readonly number[];
  /** Repeats for a size; the largest size usually gets fewer. */
  repeats: (size: number) => number;
  /** Called after each sample, for progress output. */
  progress?: (message: string) => void;
}

function medianSample(samples: readonly CostSample[]): CostSample {
  const sample: CostSample = {
    usPerDaemon: median(samples.map((s) => s.usPerDaemon)),
    bytesPerDaemon: median(samples.map((s) => s.bytesPerDaemon)),
  };
  const closes = samples.flatMap((s) =>
    s.closeUsPerDaemon === undefined ? [] : [s.closeUsPerDaemon],
  );
  if (closes.length > 0) sample.closeUsPerDaemon = median(closes);
  return sample;
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
      // Alternate which side goes first, so neither always inherits the other's leftovers.
      // close() is timed once per size: at 100,000 daemons it takes as long as a bare run.
      const close = r === 0;
      if (r % 2 === 0) {
        baseline.push(await measureBaseline(size));
        warden.push(await measureWarden(size, close));
      } else {
        warden.push(await measureWarden(size, close));
        baseline.push(await measureBaseline(size));
      }
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
      samples: { warden, baseline },
    });
  }
  return results;
}

function fmt(sample: CostSample): string {
  return `${sample.usPerDaemon.toFixed(1)} µs, ${Math.round(sample.bytesPerDaemon)} B`;
}
