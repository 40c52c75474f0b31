/**
 * Benchmark (i), part 1: what countable resources (SPEC §6a) cost on the start path. The 60
 * daemons of the daemon index (bench/daemon-index-graph.ts), in-process and ready at once, are
 * started with `startAll()` by a fresh DaemonManager, once with no resources at all and once with
 * `resources: { slot: 60 }` and every daemon requiring one slot, so that each start asks the
 * root supervisor for its unit (`DAEMON.RESOURCES_WANTED` → `RESOURCES_GRANTED`) and always gets
 * it. The two sides alternate run by run.
 */
import type { InProcessDaemon } from "../../actors/daemon-types.ts";
import { DaemonManager } from "../../runtime/manager/daemon-manager.ts";
import { DAEMON_INDEX } from "../daemon-index-graph.ts";
import { inRotation } from "../rotation.ts";
import { collectGarbage, median } from "../stats.ts";

/** The resource every daemon requires one unit of, with as many units as daemons. */
export const SLOT = "slot";

export type StartSide = "without" | "with";

/** One `startAll()`: its wall time, and the CPU time this process used meanwhile, ms. */
export interface StartSample {
  wallMs: number;
  cpuMs: number;
}

export interface StartPathResult {
  daemons: number;
  runs: number;
  warmups: number;
  /** Medians of `startAll()`'s wall time, ms. */
  withoutMs: number;
  withMs: number;
  /** withMs / withoutMs. */
  ratio: number;
  /**
   * Medians of the CPU time (user + system, all of this process's threads) during `startAll()`,
   * ms: what the start costs, less sensitive than the wall time to other processes on the cores.
   */
  withoutCpuMs: number;
  withCpuMs: number;
  /** withCpuMs / withoutCpuMs. */
  cpuRatio: number;
  /** Every measured run, in order. */
  samples: Record<StartSide, StartSample[]>;
}

export interface StartPathOptions {
  runs: number;
  warmups: number;
  progress?: (message: string) => void;
}

/** A daemon whose start and stop resolve at once. */
function instantDaemon(): InProcessDaemon {
  return { start: () => Promise.resolve(), stop: () => Promise.resolve() };
}

/** One cold `startAll()` of the index on a fresh manager; the manager is closed after. */
export async function measureStart(side: StartSide): Promise<StartSample> {
  const withResources = side === "with";
  const manager = new DaemonManager(
    withResources ? { resources: { [SLOT]: DAEMON_INDEX.length } } : {},
  );
  try {
    for (const entry of DAEMON_INDEX) {
      manager.register(entry.type, instantDaemon(), {
        dependsOn: entry.dependencies,
        ...(withResources ? { requires: { [SLOT]: 1 } } : {}),
      });
    }
    collectGarbage();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await manager.startAll();
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const notRunning = manager.status().find((status) => status.state !== "RUNNING");
    if (notRunning) throw new Error(`resources: ${notRunning.name} not RUNNING after startAll`);
    return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
  } finally {
    await manager.close();
  }
}

export async function runStartPath(options: StartPathOptions): Promise<StartPathResult> {
  const samples: Record<StartSide, StartSample[]> = { without: [], with: [] };
  const sides: StartSide[] = ["without", "with"];
  await inRotation(
    sides,
    options,
    async (side, warm) => {
      const sample = await measureStart(side);
      if (!warm) samples[side].push(sample);
      return `${side} ${sample.wallMs.toFixed(1)} ms (CPU ${sample.cpuMs.toFixed(1)} ms)`;
    },
    (label, measured) => options.progress?.(`(i) start ${label}: ${measured.join(", ")}`),
  );
  const medianOf = (side: StartSide, field: keyof StartSample) =>
    median(samples[side].map((sample) => sample[field]));
  const [withoutMs, withMs] = [medianOf("without", "wallMs"), medianOf("with", "wallMs")];
  const [withoutCpuMs, withCpuMs] = [medianOf("without", "cpuMs"), medianOf("with", "cpuMs")];
  return {
    daemons: DAEMON_INDEX.length,
    runs: options.runs,
    warmups: options.warmups,
    withoutMs,
    withMs,
    ratio: withMs / withoutMs,
    withoutCpuMs,
    withCpuMs,
    cpuRatio: withCpuMs / withoutCpuMs,
    samples,
  };
}
