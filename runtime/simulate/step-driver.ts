/**
 * How a simulation moves its clock: step after step, each step firing the timers due at the
 * next instant, then letting every promise chain they started settle before the next step, as
 * they would on a real clock before its next timer.
 *
 * Node drains the microtask queue after each `setImmediate` callback, so a batch of immediates
 * queued at once runs one step per callback with a full drain in between, all within one turn
 * of the event loop: no poll of the loop per step (a quarter of the time of a run that took a
 * turn per step). Nothing on the simulated path waits for a macrotask (no I/O, no real timers,
 * no `setImmediate` of its own), so a drain is all a step needs. A paced run (`--inspect`)
 * waits for the wall clock between steps instead.
 */
import type { SimulationClock } from "./sim-clock.ts";

/** Steps queued per turn of the event loop. */
const BATCH = 256;

export interface DriveOptions {
  clock: SimulationClock;
  /** The last instant a step may fire at. */
  limit: number;
  /** Runs after each step has settled (and once before the first). */
  afterStep(): void;
  /** Ends the drive early when it returns true (checked after each step has settled). */
  done?(): boolean;
  /** Waits before the step due at simulated `due`: a paced run. */
  pace?: ((due: number) => Promise<void>) | undefined;
}

/**
 * Steps `clock` until `done()`, or until no timer is due by `limit`; resolves with the steps
 * taken. A timer that throws rejects it.
 *
 * @example
 * const steps = await drive({ clock, limit: end, afterStep: () => checkInvariants() });
 */
export function drive(options: DriveOptions): Promise<number> {
  return options.pace ? drivePaced(options, options.pace) : driveBatched(options);
}

function driveBatched(options: DriveOptions): Promise<number> {
  const { clock, limit } = options;
  return new Promise((resolve, reject) => {
    let steps = 0;
    let finished = false;
    const one = () => {
      if (finished) return;
      try {
        options.afterStep();
        const due = clock.nextDue();
        if (options.done?.() || due === undefined || due > limit) {
          finished = true;
          resolve(steps);
          return;
        }
        clock.fireDue(due);
        steps++;
      } catch (error) {
        finished = true;
        reject(error);
      }
    };
    const batch = () => {
      if (finished) return;
      for (let i = 0; i < BATCH; i++) setImmediate(one);
      setImmediate(batch);
    };
    batch();
  });
}

async function drivePaced(
  options: DriveOptions,
  pace: (due: number) => Promise<void>,
): Promise<number> {
  const { clock, limit } = options;
  let steps = 0;
  for (;;) {
    await turn();
    options.afterStep();
    const due = clock.nextDue();
    if (options.done?.() || due === undefined || due > limit) return steps;
    await pace(due);
    clock.fireDue(due);
    steps++;
  }
}

/** One turn of the event loop: every promise callback queued so far, and theirs, runs. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
