/** How a DaemonManager is made, and how a daemon is registered with it. */
import type { InspectionEvent, Observer } from "xstate";
import type { WardenClock } from "../../actors/clock.ts";
import type { DaemonLifecycleMachine } from "../../machines/daemon-lifecycle.ts";
import type { SupervisorMachine } from "../../machines/supervisor.ts";
import type { DaemonPolicyOptions } from "../../machines/daemon-policy.ts";
import type { BusJournal } from "../bus/bus-journal.ts";
import type { DeadLetterQueue } from "../bus/dead-letter-queue.ts";
import type { Logger } from "../logger.ts";

export interface DaemonManagerOptions {
  /** The clock behind every timer; pass xstate's SimulatedClock in tests. */
  clock?: WardenClock;
  /** Random source for backoff jitter. */
  random?: () => number;
  /** The prefix of the bus's envelope ids. Default: random per manager; `warden simulate` fixes it. */
  eventIdPrefix?: string;
  /**
   * The charts the manager runs. Default `daemonLifecycleMachine` and `supervisorMachine`; the
   * simulator's tests pass deliberately broken copies (`.provide()`) to show that its invariants
   * catch them.
   */
  machines?: { lifecycle?: DaemonLifecycleMachine; supervisor?: SupervisorMachine };
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
  /**
   * Journals every event before it is delivered, and keeps daemons' subscriptions durable
   * (SPEC §5): `Journal.open(stateDir)` from runtime/journal/journal.ts. `warden up` always
   * passes one; without it the bus lives in memory only. The manager does not close it.
   */
  journal?: BusJournal;
  /** Where failed deliveries go. Default: a DeadLetterQueue in memory. */
  deadLetters?: DeadLetterQueue;
  /**
   * Keep each daemon's restart counters and FAILED state in `<stateDir>/restart-state.json`, so
   * that a new manager on the same state directory carries a crash loop on, and a daemon that
   * was FAILED stays FAILED until it is started by name or its cool-down elapses
   * (docs/restart-state.md). `warden up` turns it on; off by default here, so that managers made
   * in code (tests, scripts, the default `.warden`) start alike every time.
   */
  restartState?: boolean;
  /** How often process daemons' `limits.memoryMb` is checked (default 1000 ms; tests go faster). */
  memorySampleMs?: number;
  /**
   * The machine's countable resources and how many units of each (SPEC §6a, docs/resources.md),
   * e.g. `{ gpu: 2 }`. A daemon that `requires` more than is free waits in PENDING.
   */
  resources?: Readonly<Record<string, number>>;
}

export interface RegisterOptions extends DaemonPolicyOptions {
  dependsOn?: readonly string[];
  description?: string;
  /** Units of the manager's `resources` it needs before each start, e.g. `{ gpu: 1 }`. */
  requires?: Readonly<Record<string, number>>;
  /** Daemons that must never run at once with this one (SPEC §6a); symmetric. */
  conflicts?: readonly string[];
}

/** How `DaemonManager.start` treats a daemon that conflicts with the one started. */
export interface StartOptions {
  /** Stop the active daemons it conflicts with first, instead of refusing (`--replace`). */
  replace?: boolean;
}
