/**
 * Measures the resident memory of process daemons with `limits.memoryMb` (SPEC §6a) at a bounded
 * cadence: one timer and one /proc scan per tick, shared by every daemon watched on the same
 * clock and cadence, however many there are. A daemon's memory is the sum of the resident sets
 * of its process group and of the processes it forked that left the group (`setsid()`), found by
 * parent links. A process that left the group and lost its parent too is not counted here (the
 * stop still finds it by its WARDEN_INSTANCE marker: actors/process-descendants.ts), unless the
 * daemon has a cgroup: then every process in it counts too, wherever it went.
 */
import type { WardenClock } from "./clock.ts";
import { isZombie, scanProcesses, type ProcStat } from "./process-groups.ts";
import { processUsage } from "./process-usage.ts";

/** One daemon's instance being measured. */
export interface MemoryWatch {
  /** Its process group (the leader's pid). */
  pgid: number;
  /** Told the resident bytes of the group and its descendants at each tick. */
  onSample(residentBytes: number): void;
  /** The processes of the daemon's cgroup, where it has one: counted too. */
  members?: () => number[];
}

/** The shortest cadence allowed: a scan of /proc costs ≈ 1 ms per hundred processes. */
export const MIN_SAMPLE_MS = 50;

export class MemorySampler {
  private readonly watches = new Set<MemoryWatch>();
  private timer: unknown;

  constructor(
    private readonly clock: WardenClock,
    readonly intervalMs: number,
  ) {}

  /** Measures `watch` from the next tick on; returns what ends it. */
  watch(watch: MemoryWatch): () => void {
    this.watches.add(watch);
    this.schedule();
    return () => {
      this.watches.delete(watch);
      if (this.watches.size === 0 && this.timer !== undefined) {
        this.clock.clearTimeout(this.timer);
        this.timer = undefined;
      }
    };
  }

  /** Measures every watch now, from one scan of /proc. */
  sample(): void {
    const processes = scanProcesses().filter((entry) => !isZombie(entry));
    if (processes.length === 0) return; // no /proc: nothing to measure
    const children = new Map<number, ProcStat[]>();
    for (const entry of processes) {
      const siblings = children.get(entry.ppid);
      if (siblings) siblings.push(entry);
      else children.set(entry.ppid, [entry]);
    }
    for (const watch of [...this.watches]) {
      const members = familyOf(watch.pgid, processes, children);
      for (const pid of watch.members?.() ?? []) members.add(pid);
      let resident = 0;
      for (const pid of members) resident += processUsage(pid)?.residentBytes ?? 0;
      watch.onSample(resident);
    }
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.watches.size === 0) return;
      this.sample();
      this.schedule();
    }, this.intervalMs);
  }
}

/** The pids of group `pgid` and of every descendant of its members. */
function familyOf(
  pgid: number,
  processes: readonly ProcStat[],
  children: ReadonlyMap<number, readonly ProcStat[]>,
): Set<number> {
  const family = new Set<number>();
  const queue = processes.filter((entry) => entry.pgrp === pgid).map((entry) => entry.pid);
  while (queue.length > 0) {
    const pid = queue.pop()!;
    if (family.has(pid)) continue;
    family.add(pid);
    for (const child of children.get(pid) ?? []) queue.push(child.pid);
  }
  return family;
}

const samplers = new WeakMap<WardenClock, Map<number, MemorySampler>>();

/**
 * The sampler shared by every daemon on `clock` at that cadence (at least MIN_SAMPLE_MS).
 *
 * @example
 * const stop = sharedMemorySampler(systemClock, 1000).watch({ pgid, onSample: console.log });
 */
export function sharedMemorySampler(clock: WardenClock, intervalMs: number): MemorySampler {
  const cadence = Math.max(MIN_SAMPLE_MS, intervalMs);
  let byCadence = samplers.get(clock);
  if (!byCadence) samplers.set(clock, (byCadence = new Map()));
  let sampler = byCadence.get(cadence);
  if (!sampler) byCadence.set(cadence, (sampler = new MemorySampler(clock, cadence)));
  return sampler;
}
