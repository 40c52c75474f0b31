/**
 * Benchmark (c): starting the real daemon index (bench/daemon-index-graph.ts: 60 daemons, their
 * dependencies as documented) when every daemon takes 20 ms to start on real timers. Warden starts
 * daemons as soon as their dependencies run, so `startAll()` should take about the critical path
 * of the graph (`criticalPath` with a cost of 20 ms each), not the sum of the starts.
 */
import { criticalPath } from "../machines/dependency-graph.ts";
import { DaemonManager } from "../runtime/manager/daemon-manager.ts";
import type { InProcessDaemon } from "../actors/daemon-types.ts";
import { DAEMON_INDEX, daemonIndexGraph } from "./daemon-index-graph.ts";
import { median } from "./stats.ts";

export const START_MS = 20;

export interface StartupSample {
  /** Wall time of `startAll()`, from the call until it resolves with all 60 RUNNING. */
  wallMs: number;
  /** From the call until the first daemon's start() runs: registration with the supervisor. */
  firstStartMs: number;
}

export interface StartupResult {
  daemons: number;
  repeats: number;
  /** Medians. */
  wallMs: number;
  firstStartMs: number;
  /** The graph's critical path at START_MS per daemon, ms. */
  criticalPathMs: number;
  /** wallMs / criticalPathMs. */
  ratio: number;
  /** What a one-at-a-time start would take, ms. */
  sequentialMs: number;
  samples: StartupSample[];
}

/** One cold start of the whole index on a fresh manager. */
export async function measureStartup(): Promise<StartupSample> {
  const manager = new DaemonManager();
  let t0 = 0;
  let firstStart: number | undefined;
  const slowStarter = (): InProcessDaemon => ({
    start: () => {
      firstStart ??= performance.now();
      return new Promise<void>((resolve) => setTimeout(resolve, START_MS));
    },
    stop: () => Promise.resolve(),
  });
  try {
    for (const entry of DAEMON_INDEX) {
      manager.register(entry.type, slowStarter(), { dependsOn: entry.dependencies });
    }
    t0 = performance.now();
    await manager.startAll();
    const wallMs = performance.now() - t0;
    const notRunning = manager.status().filter((status) => status.state !== "RUNNING");
    if (notRunning.length > 0)
      throw new Error(`not RUNNING after startAll: ${notRunning[0]!.name}`);
    return { wallMs, firstStartMs: (firstStart ?? Number.NaN) - t0 };
  } finally {
    await manager.close();
  }
}

export interface StartupOptions {
  repeats: number;
  progress?: (message: string) => void;
}

export async function runStartupCriticalPath(options: StartupOptions): Promise<StartupResult> {
  const graph = daemonIndexGraph();
  const criticalPathMs = criticalPath(graph, () => START_MS);
  await measureStartup(); // warm-up
  const samples: StartupSample[] = [];
  for (let r = 0; r < options.repeats; r++) {
    const sample = await measureStartup();
    samples.push(sample);
    options.progress?.(
      `startup run ${r + 1}/${options.repeats}: ${sample.wallMs.toFixed(1)} ms ` +
        `(first start after ${sample.firstStartMs.toFixed(1)} ms; critical path ${criticalPathMs} ms)`,
    );
  }
  const wallMs = median(samples.map((s) => s.wallMs));
  return {
    daemons: graph.size,
    repeats: options.repeats,
    wallMs,
    firstStartMs: median(samples.map((s) => s.firstStartMs)),
    criticalPathMs,
    ratio: wallMs / criticalPathMs,
    sequentialMs: graph.size * START_MS,
    samples,
  };
}
