import { DEFAULTS } from "./defaults.ts";

/** When a daemon that ended is started again (SPEC §2). */
export type RestartPolicy = "always" | "on-failure" | "never";

/** Exponential backoff with full jitter: delay = random(0, min(maxMs, initialMs × factor^attempt)). */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export interface HealthPolicy {
  intervalMs: number;
  timeoutMs: number;
  failureThreshold: number;
}

/** The fully resolved supervision policy of one daemon: every field set. */
export interface DaemonPolicy {
  restart: RestartPolicy;
  backoff: BackoffPolicy;
  resetAfterMs: number;
  maxRestarts: number;
  withinMs: number;
  startTimeoutMs: number;
  stopTimeoutMs: number;
  health: HealthPolicy;
  heartbeatTimeoutMs: number | undefined;
  retryFailedAfterMs: number | undefined;
  critical: boolean;
}

/** What a user may set; everything left out takes its default. */
export interface DaemonPolicyOptions {
  restart?: RestartPolicy;
  backoff?: Partial<BackoffPolicy>;
  resetAfterMs?: number;
  maxRestarts?: number;
  withinMs?: number;
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
  health?: Partial<HealthPolicy>;
  heartbeatTimeoutMs?: number;
  retryFailedAfterMs?: number;
  critical?: boolean;
}

/**
 * Fills every unset field from DEFAULTS.
 *
 * @example
 * resolvePolicy({ restart: "always" }).backoff.initialMs; // 500
 */
export function resolvePolicy(options: DaemonPolicyOptions = {}): DaemonPolicy {
  return {
    restart: options.restart ?? DEFAULTS.restart,
    backoff: { ...DEFAULTS.backoff, ...options.backoff },
    resetAfterMs: options.resetAfterMs ?? DEFAULTS.resetAfterMs,
    maxRestarts: options.maxRestarts ?? DEFAULTS.maxRestarts,
    withinMs: options.withinMs ?? DEFAULTS.withinMs,
    startTimeoutMs: options.startTimeoutMs ?? DEFAULTS.startTimeoutMs,
    stopTimeoutMs: options.stopTimeoutMs ?? DEFAULTS.stopTimeoutMs,
    health: { ...DEFAULTS.health, ...options.health },
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? DEFAULTS.heartbeatTimeoutMs,
    retryFailedAfterMs: options.retryFailedAfterMs ?? DEFAULTS.retryFailedAfterMs,
    critical: options.critical ?? DEFAULTS.critical,
  };
}
