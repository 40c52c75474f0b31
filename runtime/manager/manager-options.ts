/** How a DaemonManager is made, and how a daemon is registered with it. */
import type { InspectionEvent, Observer } from "xstate";
import type { WardenClock } from "../../actors/clock.ts";
import type { DaemonPolicyOptions } from "../../machines/daemon-policy.ts";
import type { Logger } from "../logger.ts";

export interface DaemonManagerOptions {
  /** The clock behind every timer; pass xstate's SimulatedClock in tests. */
  clock?: WardenClock;
  /** Random source for backoff jitter. */
  random?: () => number;
  logger?: Logger;
  /** Lifecycle actors per group supervisor. Default `DEFAULTS.groupSize`. */
  groupSize?: number;
  /**
   * Charge errors that escape daemon code (uncaught exceptions, unhandled rejections) to the
   * daemon that ran it, as a crash. On by default; it installs process-wide handlers.
   */
  captureEscapedErrors?: boolean;
  /** Where escaped errors that belong to no daemon go. Default: logged at fatal level. */
  onUnhandledError?: (error: unknown) => void;
  /** Observes the actor system, e.g. for Stately's inspector. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** Where process daemons' logs, pid records and notify sockets live. Default `DEFAULTS.stateDir` (`.warden`). */
  stateDir?: string;
}

export interface RegisterOptions extends DaemonPolicyOptions {
  dependsOn?: readonly string[];
  description?: string;
}
