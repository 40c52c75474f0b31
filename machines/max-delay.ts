/**
 * The longest delay a timer can wait, 2^31 − 1 ms (about 24.8 days): Node's setTimeout, and so
 * XState's `after`, fires at once for anything longer. Configured durations, the load time-box
 * and the control API's `timeoutMs` are bounded by it.
 *
 * @example
 * if (ms > MAX_DELAY_MS) throw new RangeError(`at most ${MAX_DELAY_MS} ms`);
 */
export const MAX_DELAY_MS = 2 ** 31 - 1;
