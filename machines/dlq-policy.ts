/**
 * The retry policy of the dead-letter queue (SPEC §5): how long an entry waits before its next
 * delivery, and when it is parked. Plain functions with time passed in; the DLQ_RETRY daemon
 * (runtime/builtins/dlq-retry.ts) and the queue (runtime/bus/dead-letter-queue.ts) call them.
 *
 * The original delivery counts as attempt 1. After attempt n fails, the entry waits
 * min(maxMs, initialMs × factor^(n − 1)) — no jitter: the queue is drained a bounded batch at a
 * time, so entries due together do not stampede, and an operator can tell when the next try
 * comes. Once `maxAttempts` deliveries have failed, the entry is parked: no more automatic
 * retries until `warden dlq retry`.
 */
import { backoffCap } from "./backoff.ts";
import type { BackoffPolicy } from "./daemon-policy.ts";
import { DEFAULTS } from "./defaults.ts";

/** The configuration's top-level `dlq`, defaults applied. */
export interface DlqPolicy {
  /** Failed deliveries, the original one included, after which an entry is parked. */
  maxAttempts: number;
  backoff: BackoffPolicy;
}

/** `dlq` as the configuration may give it: every key optional. */
export interface DlqPolicyOptions {
  maxAttempts?: number;
  backoff?: Partial<BackoffPolicy>;
}

/** Where an entry stands after a failed delivery. */
export interface DlqStanding {
  attempts: number;
  parked: boolean;
  /** When it is due again (ms since the epoch); null when parked. */
  nextRetryAt: number | null;
}

/**
 * The policy with the defaults of SPEC §5 where `options` leaves a key out.
 *
 * @example
 * dlqPolicy({ maxAttempts: 3 }); // { maxAttempts: 3, backoff: { initialMs: 1000, maxMs: 60000, factor: 2 } }
 */
export function dlqPolicy(options: DlqPolicyOptions = {}): DlqPolicy {
  return {
    maxAttempts: options.maxAttempts ?? DEFAULTS.dlq.maxAttempts,
    backoff: {
      initialMs: options.backoff?.initialMs ?? DEFAULTS.dlq.backoff.initialMs,
      maxMs: options.backoff?.maxMs ?? DEFAULTS.dlq.backoff.maxMs,
      factor: options.backoff?.factor ?? DEFAULTS.dlq.backoff.factor,
    },
  };
}

/**
 * How long an entry waits after its attempt `attempts` failed (1 for the original delivery).
 *
 * @example
 * retryDelay(3, dlqPolicy()); // 4000
 */
export function retryDelay(attempts: number, policy: DlqPolicy): number {
  return backoffCap(attempts, policy.backoff);
}

/**
 * Where an entry stands once its delivery number `attempts` has failed at `now`: parked when
 * `attempts` ≥ `maxAttempts`, else due again after {@link retryDelay}.
 *
 * @example
 * afterFailure(1, 0, dlqPolicy()); // { attempts: 1, parked: false, nextRetryAt: 1000 }
 * afterFailure(5, 0, dlqPolicy()); // { attempts: 5, parked: true, nextRetryAt: null }
 */
export function afterFailure(attempts: number, now: number, policy: DlqPolicy): DlqStanding {
  if (attempts >= policy.maxAttempts) return { attempts, parked: true, nextRetryAt: null };
  return { attempts, parked: false, nextRetryAt: now + retryDelay(attempts, policy) };
}
