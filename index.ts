/**
 * warden's public API.
 *
 * @example
 * import { DaemonManager, defineConfig } from "warden";
 */
export { DaemonManager } from "./runtime/manager/daemon-manager.ts";
export type {
  DaemonManagerOptions,
  DaemonStatus,
  RegisterOptions,
} from "./runtime/manager/daemon-manager.ts";
export type { ProcessDaemonSpec } from "./actors/process-spec.ts";
export type {
  DaemonImplementation,
  ProcessOutputLine,
  ProcessStatus,
} from "./runtime/manager/supervised-driver.ts";
export { defineConfig } from "./runtime/config/define-config.ts";
export type {
  WardenConfig,
  DaemonDefinition,
  ProcessDaemonDefinition,
  PythonDaemonDefinition,
  CatalogDaemonSettings,
  ReadyCheck,
  HealthProbe,
} from "./runtime/config/types.ts";
export { loadConfig } from "./runtime/config/load-config.ts";
export { managerFromConfig } from "./runtime/config/manager-from-config.ts";
export { EventBus } from "./runtime/bus/event-bus.ts";
export { DeadLetterQueue, type DeadLetter } from "./runtime/bus/dead-letter-queue.ts";
export { WardenError, isWardenError, type WardenErrorCode } from "./machines/errors.ts";
export type {
  BusClient,
  DaemonContext,
  DaemonLogger,
  HealthReport,
  InProcessDaemon,
} from "./actors/daemon-types.ts";
export {
  LIFECYCLE_EVENT_TYPES,
  type Envelope,
  type LifecycleEventData,
  type WardenEvents,
} from "./machines/envelope.ts";
export { LIFECYCLE_STATES, type LifecycleState } from "./machines/lifecycle-states.ts";
export { daemonLifecycleMachine } from "./machines/daemon-lifecycle.ts";
export { supervisorMachine } from "./machines/supervisor.ts";
export { systemClock, type WardenClock } from "./actors/clock.ts";
export { eventRouterDaemon, type EventRouterOptions } from "./runtime/builtins/event-router.ts";
export {
  daemonWatchdog,
  WATCHDOG_EVENTS,
  type DaemonWatchdogOptions,
  type WatchdogEventData,
} from "./runtime/builtins/daemon-watchdog.ts";
export {
  CATALOGS,
  catalogEntry,
  type Catalog,
  type CatalogEntry,
  type CatalogProfile,
} from "./machines/catalog/catalog.ts";
export { profileMembers } from "./machines/catalog/profile-members.ts";
