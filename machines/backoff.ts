import type { BackoffPolicy } from "./daemon-policy.ts";

/**
 * Exponential backoff with full jitter: restart `attempt` (1 for the first since the counter
 * reset) waits floor(r × min(maxMs, initialMs × factor^(attempt − 1))) ms, with r = random(),
 * uniform in [0, 1); an attempt below 1 counts as 1.
 *
 * @example
 * backoffDelay(3, { initialMs: 500, maxMs: 30000, factor: 2 }, () => 0.5); // 1000
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  return Math.floor(random() * backoffCap(attempt, policy));
}

/** The upper bound of the jittered delay for restart `attempt` (1-based). */
export function backoffCap(attempt: number, policy: BackoffPolicy): number {
  const exponent = Math.max(0, attempt - 1);
  // factor^exponent reaches Infinity after ~1,000 attempts, and 0 × Infinity is NaN.
  if (policy.initialMs === 0) return 0;
  return Math.min(policy.maxMs, policy.initialMs * policy.factor ** exponent);
}
