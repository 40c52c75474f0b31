/**
 * The restart intensity window of OTP's supervisor as pure functions of (restarts, now, period):
 * more than `maxRestarts` restarts within `withinMs` and the daemon is given up on.
 */

/** The restart times still inside the window that ends at `now`. */
export function restartsWithin(times: readonly number[], now: number, withinMs: number): number[] {
  return times.filter((time) => now - time < withinMs);
}

/**
 * True when one more restart at `now` would exceed the intensity limit.
 *
 * @example
 * intensityExceeded([0, 10, 20], 30, 3, 60000); // true: a 4th restart within 60 s
 */
export function intensityExceeded(
  times: readonly number[],
  now: number,
  maxRestarts: number,
  withinMs: number,
): boolean {
  return restartsWithin(times, now, withinMs).length >= maxRestarts;
}
