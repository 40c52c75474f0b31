/**
 * Resolves once `signal` is aborted (at once if it already is): for racing work against the
 * lifecycle's timeouts and cancellations.
 *
 * @example
 * await Promise.race([stopped, whenAborted(signal)]); // gave up waiting on a stop timeout
 */
export function whenAborted(signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
