/**
 * `limits.memoryMb` of a process daemon (SPEC §6a, pm2's `max_memory_restart`): while its
 * instance is watched (RUNNING), the shared sampler (actors/memory-sampler.ts) measures the
 * resident memory of its process group and descendants; the first sample over the limit is
 * reported as MEMORY_EXCEEDED, which the chart turns into a restart with reason `memory`, counted
 * against the intensity limit like a crash.
 */
import { EMPTY, Observable } from "rxjs";
import { DEFAULTS } from "../machines/defaults.ts";
import type { InstanceReport } from "../machines/instance-protocol.ts";
import type { WardenClock } from "./clock.ts";
import { sharedMemorySampler } from "./memory-sampler.ts";

const MIB = 2 ** 20;

/** The latest measurement of a daemon's memory. */
export interface MemorySample {
  residentBytes: number;
  /** When it was taken, on the manager's clock. */
  at: number;
}

export interface MemoryLimitOptions {
  /** The limit, in MiB; no reports without one. */
  memoryMb: number | undefined;
  /** The instance's process group. */
  pgid: number | undefined;
  /** The daemon's cgroup, where it has one: its processes count too. */
  cgroup?: { pids(): number[] } | undefined;
  clock: WardenClock;
  /** The cadence. Default DEFAULTS.memorySampleMs. */
  sampleMs?: number;
  /** Each sample, for status. */
  onSample?: (sample: MemorySample) => void;
}

/**
 * MEMORY_EXCEEDED once, when the instance's memory first goes over `memoryMb`; nothing without a
 * limit or a process group. Measures only while subscribed.
 *
 * @example
 * merge(instance.reports, memoryLimitReports({ memoryMb: 256, pgid: instance.pid, clock }));
 */
export function memoryLimitReports(options: MemoryLimitOptions): Observable<InstanceReport> {
  const { memoryMb, pgid, clock } = options;
  if (memoryMb === undefined || pgid === undefined) return EMPTY;
  const limitBytes = memoryMb * MIB;
  const sampler = sharedMemorySampler(clock, options.sampleMs ?? DEFAULTS.memorySampleMs);
  return new Observable<InstanceReport>((subscriber) => {
    const cgroup = options.cgroup;
    const stop = sampler.watch({
      pgid,
      ...(cgroup ? { members: () => cgroup.pids() } : {}),
      onSample: (residentBytes) => {
        options.onSample?.({ residentBytes, at: clock.now() });
        if (residentBytes <= limitBytes) return;
        stop();
        const used = (residentBytes / MIB).toFixed(1);
        subscriber.next({
          type: "MEMORY_EXCEEDED",
          error: `memory ${used} MiB over limits.memoryMb ${memoryMb} (process group ${pgid})`,
        });
      },
    });
    return stop;
  });
}
