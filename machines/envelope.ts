import type { LifecycleState } from "./lifecycle-states.ts";

/** The seven lifecycle events warden emits on every transition (SPEC §5). */
export const LIFECYCLE_EVENT_TYPES = [
  "DAEMON_STARTING",
  "DAEMON_STARTED",
  "DAEMON_STOPPING",
  "DAEMON_STOPPED",
  "DAEMON_FAILED",
  "DAEMON_RESTARTING",
  "DAEMON_HEALTH_CHANGED",
] as const;

export type LifecycleEventType = (typeof LIFECYCLE_EVENT_TYPES)[number];

/** The event published when a daemon enters each state (PENDING has none). */
export const EVENT_OF_STATE: Partial<Record<LifecycleState, LifecycleEventType>> = {
  STARTING: "DAEMON_STARTING",
  RUNNING: "DAEMON_STARTED",
  STOPPING: "DAEMON_STOPPING",
  STOPPED: "DAEMON_STOPPED",
  FAILED: "DAEMON_FAILED",
  RESTARTING: "DAEMON_RESTARTING",
};

/** The state a transition event announces: the inverse of EVENT_OF_STATE. */
export const STATE_OF_EVENT: Readonly<Record<string, LifecycleState>> = Object.fromEntries(
  Object.entries(EVENT_OF_STATE).map(([state, type]) => [type, state as LifecycleState]),
);

/**
 * One event on the bus.
 *
 * @example
 * { id: "k3x9-1", type: "DAEMON_STARTED", source: "warden", time: 1732300000000,
 *   data: { daemon: "AUTO_SYNC" } }
 */
export interface Envelope<T = unknown> {
  id: string;
  type: string;
  /** Who published it: a daemon name, "warden", or a client. */
  source: string;
  /** Milliseconds since the epoch, on the manager's clock. */
  time: number;
  data: T;
  /** The cluster node it came from; absent for local events. */
  node?: string;
}

/** The data of every lifecycle event; fields beyond `daemon` appear where they apply. */
export interface LifecycleEventData {
  daemon: string;
  /** The state the daemon left. */
  from: string;
  /** Why: "start", "crash", "start-failed", "start-timeout", "health", "heartbeat", "dependency", "manual", "exit", "stop", "intensity", "policy", "cool-down". */
  reason?: string;
  error?: string;
  /** Restart attempt number (1 for the first restart since the counter reset). */
  attempt?: number;
  /** Backoff delay before the next start, in ms. */
  delayMs?: number;
  /** True when a stop had to be forced after stopTimeoutMs. */
  forced?: boolean;
  /** For DAEMON_HEALTH_CHANGED. */
  healthy?: boolean;
  detail?: string;
  exitCode?: number | null;
  signal?: string | null;
  /** For DAEMON_WAITING: what it waits for, e.g. "gpu: 4 of 4 held by A, B" (SPEC §6a). */
  waitingFor?: string;
}

/**
 * Typed event payloads by type. Extend it by declaration merging to type your own events:
 *
 * @example
 * declare module "warden" { interface WardenEvents { DISK_USAGE: { percent: number } } }
 */
export interface WardenEvents extends Record<LifecycleEventType, LifecycleEventData> {
  /** A daemon asked to start waits in PENDING for resources held by others (SPEC §6a). */
  DAEMON_WAITING: LifecycleEventData;
  [type: string]: unknown;
}

/** The payload type of event `K`. */
export type EventData<K extends string> = K extends keyof WardenEvents ? WardenEvents[K] : unknown;
