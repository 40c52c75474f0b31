/**
 * What `DaemonManager.status()` says of one daemon (docs/cli-json.md): its state and why, its
 * restarts, health, uptime and last error from its lifecycle actor, and for a process its pid,
 * STATUS= text and exit. After the supervisor has stopped (an escalation, close()) the lifecycle
 * actors are gone, so the latest transition stands in for them: a FAILED daemon stays FAILED.
 */
import type { LifecycleContext } from "../../machines/daemon-lifecycle.ts";
import type { LifecycleState } from "../../machines/lifecycle-states.ts";
import type { ResourceUnits } from "../../machines/resource-book.ts";
import type { DaemonTransition } from "../../machines/supervisor-protocol.ts";
import type { Definition } from "./daemon-registry.ts";
import type { ProcessStatus } from "./supervised-driver.ts";

export interface DaemonStatus {
  name: string;
  state: LifecycleState;
  dependsOn: readonly string[];
  critical: boolean;
  restarts: number;
  /** Why the daemon took its latest transition. */
  reason: string;
  lastError?: string;
  /**
   * While FAILED: when it failed, in ms on the manager's clock (before the manager restarted,
   * for one whose reason is `failed-before-restart`).
   */
  failedAt?: number;
  healthy?: boolean;
  /** Milliseconds in RUNNING, when RUNNING. */
  uptimeMs?: number;
  description?: string;
  metrics?: Record<string, number | string>;
  /** A module inside the manager, or a program it runs. */
  kind: "module" | "process";
  /** For a process daemon: its command, pid, STATUS= text. */
  process?: ProcessStatus;
  /** How the latest instance of a process ended, while it is not running. */
  exitCode?: number | null;
  signal?: string | null;
  /** The resource units it holds (SPEC §6a), e.g. `{ gpu: [0] }`; absent when it holds none. */
  resources?: ResourceUnits;
  /** While PENDING for resources: what for, e.g. "gpu: 4 of 4 held by A, B". */
  waitingFor?: string;
}

/** Where a daemon stands, as its lifecycle actor (or, once it is gone, its last transition) says. */
export interface DaemonStanding {
  state: LifecycleState;
  context: LifecycleContext | undefined;
  last: DaemonTransition | undefined;
  now: number;
  /** Its units and what it waits for (runtime/manager's ResourceBook). */
  resources?: { units: ResourceUnits; waitingFor: string | undefined };
}

/**
 * The status of `definition`.
 *
 * @example
 * statusOf(registry.get("db"), { state: "RUNNING", context, last, now: clock.now() });
 */
export function statusOf(definition: Definition, standing: DaemonStanding): DaemonStatus {
  const { state, context, last, now } = standing;
  const status: DaemonStatus = {
    name: definition.name,
    state,
    dependsOn: definition.dependsOn,
    critical: definition.policy.critical,
    kind: definition.supervised.kind,
    restarts: context?.restarts ?? 0,
    reason: context?.reason ?? last?.reason ?? "registered",
  };
  const lastError = context ? context.lastError : last?.error;
  if (lastError !== undefined) status.lastError = lastError;
  if (state === "FAILED" && context?.failure.at !== undefined) status.failedAt = context.failure.at;
  if (context?.healthy !== undefined) status.healthy = context.healthy;
  if (context?.runningSince !== undefined) status.uptimeMs = now - context.runningSince;
  if (definition.description !== undefined) status.description = definition.description;
  const metrics = state === "RUNNING" ? definition.supervised.metrics() : undefined;
  if (metrics) status.metrics = metrics;
  const process = definition.supervised.process();
  if (process) status.process = process;
  if (context && context.exit.exitCode !== undefined && state !== "RUNNING") {
    status.exitCode = context.exit.exitCode;
    status.signal = context.exit.signal ?? null;
  }
  const units = standing.resources?.units;
  if (units && Object.keys(units).length > 0) status.resources = units;
  const waitingFor = standing.resources?.waitingFor;
  if (waitingFor !== undefined) status.waitingFor = waitingFor;
  return status;
}
