/** Waiting in the benchmarks: a pause, and polling until something is there. */

/** Resolves after `ms` without keeping the process alive. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export interface PollOptions {
  /** Named in the error: `<label>: timed out after … waiting for <what>`. */
  label: string;
  timeoutMs: number;
  /** The pause between two checks. */
  everyMs: number;
}

/** Calls `check` every `everyMs` until it returns a value; fails after `timeoutMs`. */
export async function poll<T>(
  check: () => T | undefined | Promise<T | undefined>,
  what: string,
  { label, timeoutMs, everyMs }: PollOptions,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() > deadline) {
      throw new Error(`${label}: timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    // Kept alive: the wait is awaited, so a child's exit meanwhile must not end the process.
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
