/**
 * warden's public API.
 *
 * @example
 * import { DaemonManager, defineConfig } from "warden";
 */
export { DaemonManager } from "./runtime/daemon-manager.ts";
export type {
  DaemonManagerOptions,
  DaemonStatus,
  RegisterOptions,
} from "./runtime/daemon-manager.ts";
export type { ProcessDaemonSpec } from "./actors/process-daemon.ts";
export type {
  DaemonImplementation,
  ProcessOutputLine,
  ProcessStatus,
} from "./runtime/supervised-driver.ts";
export { defineConfig } from "./runtime/config/define-config.ts";
export type {
  WardenConfig,
  DaemonDefinition,
  ProcessDaemonDefinition,
  ReadyCheck,
} from "./runtime/config/types.ts";
export { loadConfig } from "./runtime/config/load-config.ts";
export { managerFromConfig } from "./runtime/manager-from-config.ts";
export { EventBus } from "./runtime/event-bus.ts";
export { DeadLetterQueue, type DeadLetter } from "./runtime/dead-letter-queue.ts";
export { WardenError, isWardenError, type WardenErrorCode } from "./runtime/errors.ts";
export type {
  BusClient,
  DaemonContext,
  DaemonLogger,
  HealthReport,
  InProcessDaemon,
} from "./runtime/daemon-types.ts";
export {
  LIFECYCLE_EVENT_TYPES,
  type Envelope,
  type LifecycleEventData,
  type WardenEvents,
} from "./runtime/envelope.ts";
export { LIFECYCLE_STATES, type LifecycleState } from "./machines/lifecycle-states.ts";
export { daemonLifecycleMachine } from "./machines/daemon-lifecycle.ts";
export { supervisorMachine } from "./machines/supervisor.ts";
export { systemClock, type WardenClock } from "./actors/clock.ts";
