import { DEFAULTS } from "./defaults.ts";

/** When a daemon that ended is started again (SPEC §2). */
export const RESTART_POLICIES = ["always", "on-failure", "never"] as const;

export type RestartPolicy = (typeof RESTART_POLICIES)[number];

/**
 * Exponential backoff with full jitter (machines/backoff.ts): restart n (1 for the first since
 * the counter reset) waits floor(r × min(maxMs, initialMs × factor^(n − 1))) ms, r uniform in [0, 1).
 */
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
 * Fills every unset field from DEFAULTS.daemon.
 *
 * @example
 * resolvePolicy({ restart: "always" }).backoff.initialMs; // 500
 */
export function resolvePolicy(options: DaemonPolicyOptions = {}): DaemonPolicy {
  return {
    restart: options.restart ?? DEFAULTS.daemon.restart,
    backoff: { ...DEFAULTS.daemon.backoff, ...options.backoff },
    resetAfterMs: options.resetAfterMs ?? DEFAULTS.daemon.resetAfterMs,
    maxRestarts: options.maxRestarts ?? DEFAULTS.daemon.maxRestarts,
    withinMs: options.withinMs ?? DEFAULTS.daemon.withinMs,
    startTimeoutMs: options.startTimeoutMs ?? DEFAULTS.daemon.startTimeoutMs,
    stopTimeoutMs: options.stopTimeoutMs ?? DEFAULTS.daemon.stopTimeoutMs,
    health: { ...DEFAULTS.daemon.health, ...options.health },
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? DEFAULTS.daemon.heartbeatTimeoutMs,
    retryFailedAfterMs: options.retryFailedAfterMs ?? DEFAULTS.daemon.retryFailedAfterMs,
    critical: options.critical ?? DEFAULTS.daemon.critical,
  };
}
