/**
 * XState's clock (setTimeout/clearTimeout) plus the current time: the one source of time for the
 * whole runtime. xstate's `SimulatedClock` satisfies it.
 */
export interface WardenClock {
  now(): number;
  setTimeout(fn: (...args: unknown[]) => void, timeout: number): unknown;
  clearTimeout(id: unknown): void;
}

/**
 * The wall clock. Tests and the simulator pass xstate's `SimulatedClock` instead.
 *
 * @example
 * const manager = new DaemonManager({ clock: systemClock });
 */
export const systemClock: WardenClock = {
  now: () => Date.now(),
  setTimeout: (fn: (...args: unknown[]) => void, ms: number) => setTimeout(fn, ms),
  clearTimeout: (id: unknown) => clearTimeout(id as NodeJS.Timeout),
};
