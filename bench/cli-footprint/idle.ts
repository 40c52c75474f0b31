/**
 * Benchmark (f)'s memory and CPU readings: each supervisor's memory once everything is up, then
 * again after an idle period with no requests at all, and the CPU time it used meanwhile.
 */
import { cpuTicks, readMemory, type Memory } from "./proc.ts";

/** A supervisor process to read, and a check that fails if it has gone. */
export interface Supervisor {
  pid: number;
  checkAlive(): void;
}

export interface Footprint {
  pid: number;
  afterStart: Memory;
  afterIdle: Memory;
  /** CPU time over the idle period, in clock ticks. */
  cpuTicks: number;
  /** That time as a percentage of one core over the idle period. */
  cpuPercent: number;
}

export interface IdleResult {
  /** The idle period as measured, s. */
  seconds: number;
  /** Clock ticks per second (CLK_TCK). */
  clockTicks: number;
  warden: Footprint;
  /** Missing when pm2 was not measured. */
  pm2?: Footprint;
}

/** A pause that keeps the process alive (the supervisors are what is left to wait for). */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads each supervisor's memory, leaves them all alone for `idleSeconds`, then reads their
 * memory again and the CPU time they used in between.
 *
 * @example
 * const idle = await measureIdle({ warden: { pid, checkAlive } }, 60, 100);
 * idle.warden.cpuPercent; // e.g. 0.05
 */
export async function measureIdle(
  supervisors: { warden: Supervisor; pm2?: Supervisor },
  idleSeconds: number,
  clockTicks: number,
): Promise<IdleResult> {
  const all = [supervisors.warden, ...(supervisors.pm2 ? [supervisors.pm2] : [])];
  const afterStart = all.map((supervisor) => readMemory(supervisor.pid));
  const ticksBefore = all.map((supervisor) => cpuTicks(supervisor.pid));
  const began = performance.now();
  await pause(idleSeconds * 1000);
  const ticksAfter = all.map((supervisor) => cpuTicks(supervisor.pid));
  const seconds = (performance.now() - began) / 1000;
  const afterIdle = all.map((supervisor) => readMemory(supervisor.pid));
  for (const supervisor of all) supervisor.checkAlive();
  const [warden, pm2] = all.map((supervisor, at): Footprint => {
    const ticks = ticksAfter[at]! - ticksBefore[at]!;
    return {
      pid: supervisor.pid,
      afterStart: afterStart[at]!,
      afterIdle: afterIdle[at]!,
      cpuTicks: ticks,
      cpuPercent: (ticks / clockTicks / seconds) * 100,
    };
  });
  return { seconds, clockTicks, warden: warden!, ...(pm2 ? { pm2 } : {}) };
}
