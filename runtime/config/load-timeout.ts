import { DEFAULTS } from "../../machines/defaults.ts";
import { WardenError } from "../../machines/errors.ts";
import { MAX_DELAY_MS } from "../../machines/max-delay.ts";

/**
 * The time-box around loading a user's code: importing a `.ts`/`.js` configuration or daemon
 * module and calling a module's factory. Code whose top-level await or factory promise never
 * settles would otherwise hang `warden validate` and `warden up` for good, or, once nothing
 * else keeps Node's event loop busy, end the process with exit code 13 and no word of why.
 */

/** The environment variable that sets the time-box, in milliseconds. */
export const LOAD_TIMEOUT_ENV = "WARDEN_LOAD_TIMEOUT_MS";

/**
 * The time-box in milliseconds: `WARDEN_LOAD_TIMEOUT_MS` when set (a whole number from 1 to
 * 2147483647), else `DEFAULTS.loadTimeoutMs` (30 s: generous, a cold `.ts` import through tsx
 * takes well under a second). Any other value is a `WARDEN_ERR_USAGE`.
 *
 * @example
 * loadTimeoutMs({ WARDEN_LOAD_TIMEOUT_MS: "500" }); // 500
 */
export function loadTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[LOAD_TIMEOUT_ENV];
  if (raw === undefined || raw.trim() === "") return DEFAULTS.loadTimeoutMs;
  const text = raw.trim();
  const ms = Number(text);
  if (!/^\d+$/.test(text) || ms < 1 || ms > MAX_DELAY_MS) {
    throw new WardenError(
      "WARDEN_ERR_USAGE",
      `${LOAD_TIMEOUT_ENV}: expected a whole number of milliseconds from 1 to ${MAX_DELAY_MS}, ` +
        `got ${JSON.stringify(raw)}`,
    );
  }
  return ms;
}

/**
 * What `work` resolves to, or its failure (as `failed` turns it, by default as it is); if it has
 * not settled within `ms`, the error that `timedOut(ms)` makes. The timer keeps the event loop alive meanwhile, on purpose: Node ends
 * a process whose only pending work is an unsettled top-level await (exit 13) as soon as
 * nothing else is scheduled, which would pre-empt this error. The work itself cannot be
 * cancelled; it is left behind.
 *
 * @example
 * const namespace = await withinLoadTimeout(
 *   () => import(url),
 *   (ms) => new Error(`${file} did not load within ${ms} ms`),
 * );
 */
export async function withinLoadTimeout<T>(
  work: () => PromiseLike<T> | T,
  timedOut: (ms: number) => Error,
  ms: number = loadTimeoutMs(),
  failed: (error: unknown) => unknown = (error) => error,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  // Called at once; a synchronous throw becomes the rejection it would be in an async function.
  const running = new Promise<T>((resolve) => resolve(work())).catch((error: unknown) => {
    throw failed(error);
  });
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut(ms)), ms);
  });
  try {
    return await Promise.race([running, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
