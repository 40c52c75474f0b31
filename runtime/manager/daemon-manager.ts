/**
 * The DaemonManager: the public API of warden's runtime. It owns the root supervisor actor, the
 * event bus and the daemons' drivers, validates the dependency graph before anything starts, and
 * turns the supervisor's reports into lifecycle events on the bus.
 */
import { Subject, config as rxjsConfig, type Observable } from "rxjs";
import type { InspectionEvent, Observer } from "xstate";
import { systemClock, type WardenClock } from "../../actors/clock.ts";
import { currentOwner } from "../../actors/daemon-ownership.ts";
import type { LifecycleContext } from "../../machines/daemon-lifecycle.ts";
import {
  resolvePolicy,
  type DaemonPolicy,
  type DaemonPolicyOptions,
} from "../../machines/daemon-policy.ts";
import { dependencyClosure, dependencyOrder } from "../../machines/dependency-graph.ts";
import { isCountedRestart } from "../../machines/restart-reason.ts";
import { stateOf, type LifecycleState } from "../../machines/lifecycle-states.ts";
import type { DaemonHealthChange, DaemonTransition } from "../../machines/supervisor-protocol.ts";
import { resolve } from "node:path";
import { reapOrphans } from "../../actors/reap-orphans.ts";
import { suggestion } from "../../machines/closest-name.ts";
import { EVENT_OF_STATE, type Envelope, type LifecycleEventData } from "../../machines/envelope.ts";
import { WardenError, messageOf } from "../../machines/errors.ts";
import { EventBus } from "../bus/event-bus.ts";
import { silentLogger, type Logger } from "../logger.ts";
import {
  supervisedDriver,
  type DaemonImplementation,
  type ProcessOutputLine,
  type ProcessStatus,
  type SupervisedDriver,
} from "./supervised-driver.ts";
import { ProcessGuard } from "./process-guard.ts";
import { validateGraph } from "./validate-graph.ts";
import { createActorSystem, registerEvent, type SupervisorActor } from "./actor-system.ts";

export interface DaemonManagerOptions {
  /** The clock behind every timer; pass xstate's SimulatedClock in tests. */
  clock?: WardenClock;
  /** Random source for backoff jitter. */
  random?: () => number;
  logger?: Logger;
  /** Lifecycle actors per group supervisor. */
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
  /**
   * Where process daemons' logs, pid records and notify sockets live. Default `.warden` in the
   * working directory.
   */
  stateDir?: string;
}

export interface RegisterOptions extends DaemonPolicyOptions {
  dependsOn?: readonly string[];
  description?: string;
}

export interface DaemonStatus {
  name: string;
  state: LifecycleState;
  dependsOn: readonly string[];
  critical: boolean;
  restarts: number;
  /** Why the daemon took its latest transition. */
  reason: string;
  lastError?: string;
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
}

interface Definition {
  name: string;
  dependsOn: readonly string[];
  policy: DaemonPolicy;
  description: string | undefined;
  supervised: SupervisedDriver;
  handedOver: boolean;
}

type TransitionListener = (transition: DaemonTransition) => void;

/**
 * Supervises daemons: register them, then start, stop and restart them by name.
 *
 * @example
 * const manager = new DaemonManager();
 * manager.register("db", dbDaemon);
 * manager.register("api", apiDaemon, { dependsOn: ["db"], restart: "always" });
 * await manager.startAll();   // db first, then api
 * await manager.stopAll();    // api first, then db
 */
export class DaemonManager {
  readonly bus: EventBus;
  /** Every event on the bus: lifecycle events and whatever daemons publish. */
  readonly events$: Observable<Envelope>;
  readonly clock: WardenClock;
  /** Absolute; holds process daemons' logs, pid records and notify sockets. */
  readonly stateDir: string;
  private readonly logger: Logger;
  private readonly random: () => number;
  private readonly definitions = new Map<string, Definition>();
  private readonly graph = new Map<string, readonly string[]>();
  private readonly listeners = new Map<string, Set<TransitionListener>>();
  private readonly everyTransition = new Set<TransitionListener>();
  private readonly escalations = new Subject<string>();
  /**
   * Each daemon's latest transition: its lifecycle actor is gone once the supervisor has
   * stopped (an escalation, close()), and status must still say FAILED, not PENDING.
   */
  private readonly lastTransitions = new Map<string, DaemonTransition>();
  /** Starts asked for while a daemon was STOPPING: sent once it is STOPPED, unless stopped since. */
  private readonly deferredStarts = new Map<string, TransitionListener>();
  private readonly supervisor: SupervisorActor;
  private unsupervised = 0;
  private reaping: Promise<void> | undefined;
  private readonly processGuard: ProcessGuard;
  private closed = false;
  private readonly releaseErrorCapture: () => void;
  private readonly outputLines = new Subject<ProcessOutputLine>();
  /** Every line process daemons write on stdout and stderr (their log files have them too). */
  readonly output$: Observable<ProcessOutputLine> = this.outputLines.asObservable();
  /** Emits the name of a critical daemon whose failure shut the manager down. */
  readonly escalated$: Observable<string> = this.escalations.asObservable();

  constructor(private readonly options: DaemonManagerOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.stateDir = resolve(options.stateDir ?? ".warden");
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger();
    this.bus = new EventBus({ clock: this.clock });
    this.events$ = this.bus.events$;
    this.processGuard = new ProcessGuard(() => this.killAllNow(), this.logger);
    this.supervisor = createActorSystem({
      clock: this.clock,
      groupSize: options.groupSize,
      inspect: options.inspect,
      onTransition: (transition) => this.onTransition(transition),
      onHealthChange: (change) => this.onHealthChange(change),
      onEscalated: (name) => this.escalations.next(name),
      onError: (error) => this.unhandled(error),
    });
    this.releaseErrorCapture =
      options.captureEscapedErrors === false ? () => {} : this.captureEscapedErrors();
  }

  /**
   * Adds a daemon. Names are unique; dependencies may be registered later, and the whole graph
   * is checked before the next start.
   */
  register(name: string, daemon: DaemonImplementation, options: RegisterOptions = {}): void {
    this.assertOpen();
    if (this.definitions.has(name)) {
      throw new WardenError(
        "WARDEN_ERR_DUPLICATE_DAEMON",
        `daemon "${name}" is already registered`,
      );
    }
    const policy = resolvePolicy(options);
    const supervised = supervisedDriver(name, daemon, policy, {
      clock: this.clock,
      bus: this.bus,
      logger: this.logger,
      stateDir: this.stateDir,
      onOutput: (line) => {
        if (this.outputLines.observed) this.outputLines.next(line);
      },
      onProcessInstance: (daemon, instance) => this.processGuard.track(daemon, instance),
    });
    if (supervised.kind === "process") this.processGuard.install();
    const dependsOn = [...(options.dependsOn ?? [])];
    this.definitions.set(name, {
      name,
      dependsOn,
      policy,
      description: options.description,
      supervised,
      handedOver: false,
    });
    this.graph.set(name, dependsOn);
    this.unsupervised++;
  }

  /** Checks the dependency graph (unknown dependencies, cycles) without starting anything. */
  validate(): void {
    validateGraph(this.graph);
  }

  /** Names of all registered daemons, in registration order. */
  names(): string[] {
    return [...this.definitions.keys()];
  }

  /** Starts a daemon and whatever it depends on; resolves once it is RUNNING. */
  async start(name: string): Promise<void> {
    this.known(name);
    await this.startMany([name]);
  }

  /** Starts every registered daemon in dependency order; resolves once all are RUNNING. */
  async startAll(): Promise<void> {
    await this.startMany(this.names());
  }

  /**
   * Starts the given daemons and their dependencies; resolves when all of them are RUNNING,
   * rejects as soon as one of them reaches FAILED (the others stay supervised).
   */
  async startMany(names: readonly string[]): Promise<void> {
    this.assertOpen();
    names.forEach((name) => this.known(name));
    if (this.processGuard.active) await this.reapOrphansOnce();
    validateGraph(this.graph);
    const targets = dependencyClosure(names, this.graph);
    const waiting = new Set([...targets].filter((name) => this.stateOf(name) !== "RUNNING"));
    const running = this.until(waiting, (transition, remaining) => {
      if (transition.state === "RUNNING") remaining.delete(transition.name);
      else if (transition.state === "FAILED") return this.failure(transition);
      else if (
        transition.state === "STOPPED" &&
        names.includes(transition.name) &&
        // The end of a stop that was running when the start came in: the start follows it.
        !this.deferredStarts.has(transition.name)
      ) {
        return new WardenError(
          "WARDEN_ERR_DAEMON_STOPPED",
          `daemon "${transition.name}" was stopped before it was running`,
        );
      }
      return undefined;
    });
    // Each daemon starts as soon as it is registered: the first ones are already on their way
    // while the rest of a large graph is still being handed to the supervisor.
    const started = this.supervise(targets);
    this.requestStart([...targets].filter((name) => !started.has(name)));
    await running;
  }

  /** Stops one daemon; its dependents wait in RESTARTING until it runs again. */
  async stop(name: string): Promise<void> {
    this.known(name);
    this.cancelDeferredStart(name);
    this.supervise();
    const state = this.stateOf(name);
    if (state === "STOPPED") return;
    if (state === "FAILED") {
      // Stays FAILED, but its cool-down (if any) no longer brings it back.
      this.supervisor.send({ type: "STOP", names: [name] });
      return;
    }
    const stopped = this.until(new Set([name]), (transition, remaining) => {
      if (transition.state === "STOPPED" || transition.state === "FAILED") {
        remaining.delete(transition.name);
      }
      return undefined;
    });
    this.supervisor.send({ type: "STOP", names: [name] });
    await stopped;
  }

  /** Stops everything: dependents before their dependencies, in parallel where possible. */
  async stopAll(): Promise<void> {
    if (this.supervisor.getSnapshot().status !== "active") return;
    for (const name of [...this.deferredStarts.keys()]) this.cancelDeferredStart(name);
    // No supervise() here: daemons never handed to the supervisor have nothing to stop, and an
    // invalid graph registered since must not make stopAll() and close() throw.
    const done = new Promise<void>((resolve) => {
      const subscription = this.supervisor.subscribe((snapshot) => {
        if (snapshot.value === "idle" || snapshot.status === "done") {
          subscription.unsubscribe();
          resolve();
        }
      });
    });
    this.supervisor.send({ type: "SHUTDOWN" });
    if (this.supervisor.getSnapshot().value === "idle") return;
    await done;
  }

  /** Restarts a daemon (no backoff, not counted); a stopped or failed one is started. */
  async restart(name: string): Promise<void> {
    this.known(name);
    this.supervise();
    const state = this.stateOf(name);
    // STARTING ignores RESTART: the start in progress is the restart.
    if (state !== "RUNNING") return this.start(name);
    let left = false;
    const running = this.until(new Set([name]), (transition, remaining) => {
      if (transition.state !== "RUNNING") left = true;
      if (transition.state === "FAILED") return this.failure(transition);
      if (transition.state === "STOPPED") {
        return new WardenError(
          "WARDEN_ERR_DAEMON_STOPPED",
          `daemon "${name}" was stopped before it was running again`,
        );
      }
      if (transition.state === "RUNNING" && left) remaining.delete(name);
      return undefined;
    });
    this.supervisor.send({ type: "RESTART", names: [name] });
    await running;
  }

  /** Resolves when `name` is in `state`; rejects after `timeoutMs` on the manager's clock. */
  waitFor(name: string, state: LifecycleState, timeoutMs = 30_000): Promise<void> {
    this.known(name);
    if (this.stateOf(name) === state) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.unlisten(name, listener);
        reject(
          new WardenError(
            "WARDEN_ERR_WAIT_TIMEOUT",
            `daemon "${name}" did not reach ${state} within ${timeoutMs} ms (it is ${this.stateOf(name)})`,
          ),
        );
      }, timeoutMs);
      const listener: TransitionListener = (transition) => {
        if (transition.state !== state) return;
        this.clock.clearTimeout(timer);
        this.unlisten(name, listener);
        resolve();
      };
      this.listen(name, listener);
    });
  }

  /** The current state of one daemon. */
  stateOf(name: string): LifecycleState {
    const actor = this.supervisor.system.get(name);
    const state = actor && stateOf(actor.getSnapshot().value);
    return state ?? this.lastTransitions.get(name)?.state ?? "PENDING";
  }

  /** A snapshot of every daemon, in registration order. */
  status(): DaemonStatus[] {
    return this.names().map((name) => this.statusOf(name));
  }

  statusOf(name: string): DaemonStatus {
    const definition = this.known(name);
    const context = this.supervisor.system.get(name)?.getSnapshot().context as
      LifecycleContext | undefined;
    const state = this.stateOf(name);
    const status: DaemonStatus = {
      name,
      state,
      dependsOn: definition.dependsOn,
      critical: definition.policy.critical,
      kind: definition.supervised.kind,
      restarts: context?.restarts ?? 0,
      reason: context?.reason ?? this.lastTransitions.get(name)?.reason ?? "registered",
    };
    const lastError = context ? context.lastError : this.lastTransitions.get(name)?.error;
    if (lastError !== undefined) status.lastError = lastError;
    if (context?.healthy !== undefined) status.healthy = context.healthy;
    if (context?.runningSince !== undefined) {
      status.uptimeMs = this.clock.now() - context.runningSince;
    }
    if (definition.description !== undefined) status.description = definition.description;
    const metrics = state === "RUNNING" ? definition.supervised.metrics() : undefined;
    if (metrics) status.metrics = metrics;
    const process = definition.supervised.process();
    if (process) status.process = process;
    if (context && context.exit.exitCode !== undefined && state !== "RUNNING") {
      status.exitCode = context.exit.exitCode;
      status.signal = context.exit.signal ?? null;
    }
    return status;
  }

  /**
   * Stops everything in order, then the supervisor itself. Idempotent. What fails while
   * releasing a daemon's resources (a read-only state directory) is logged; the close goes on.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.stopAll();
    this.closed = true;
    this.supervisor.stop();
    const released = await Promise.allSettled(
      [...this.definitions.values()].map((d) => d.supervised.dispose()),
    );
    for (const outcome of released) {
      if (outcome.status === "rejected") {
        this.logger.error(
          { err: messageOf(outcome.reason) },
          "cannot release a daemon's resources",
        );
      }
    }
    this.processGuard.release();
    this.releaseErrorCapture();
  }

  /**
   * Puts back each process daemon's notify socket if its file is gone (the state directory was
   * deleted); resolves with the names of those it re-created.
   */
  async repairProcesses(): Promise<string[]> {
    const repaired: string[] = [];
    for (const definition of this.definitions.values()) {
      if (await definition.supervised.repair()) repaired.push(definition.name);
    }
    return repaired;
  }

  /**
   * Ends every process daemon's processes at once (SIGKILL), synchronously: for a manager that
   * is about to exit without an ordered stop (a second Ctrl-C, a stop that ran out of time).
   */
  killAllNow(): void {
    for (const definition of this.definitions.values()) definition.supervised.killNow();
  }

  /**
   * How long an ordered stop of everything may take: the longest dependency chain, each of its
   * daemons with the largest stop timeout, plus a margin for what a stop does besides waiting.
   */
  stopBudgetMs(): number {
    const definitions = [...this.definitions.values()];
    const longest = Math.max(0, ...definitions.map((d) => d.policy.stopTimeoutMs));
    return (chainLength(this.graph) + 1) * longest + STOP_MARGIN_MS;
  }

  /**
   * Before the first start of a process daemon: stops what a manager that was killed with
   * SIGKILL left running (recorded in the state directory by pid and start time, so that a pid
   * the system has since reused is never touched).
   */
  private reapOrphansOnce(): Promise<void> {
    if (this.reaping) return this.reaping;
    this.reaping = reapOrphans(resolve(this.stateDir, "pids"), {
      onProblem: (message) => this.logger.warn(message),
      onOutcome: (outcome) => {
        if (outcome.action === "gone") return;
        this.logger.warn(
          { daemon: outcome.daemon, pid: outcome.pid, action: outcome.action },
          "process left behind by an earlier manager",
        );
      },
    }).then(() => undefined);
    return this.reaping;
  }

  /**
   * Validates the graph and hands every daemon registered since the last time to the supervisor,
   * dependencies first; those in `startNow` are sent START right after their registration.
   * Returns the names it started.
   */
  private supervise(startNow: ReadonlySet<string> = new Set()): Set<string> {
    const started = new Set<string>();
    if (this.unsupervised === 0) return started;
    validateGraph(this.graph);
    const fresh = [...this.definitions.values()].filter((d) => !d.handedOver).map((d) => d.name);
    for (const name of dependencyOrder(fresh, this.graph)) {
      const definition = this.definitions.get(name)!;
      definition.handedOver = true;
      this.supervisor.send(
        registerEvent(
          { ...definition, driver: definition.supervised.driver },
          this.clock,
          this.random,
        ),
      );
      if (startNow.has(name)) {
        this.supervisor.send({ type: "START", names: [name] });
        started.add(name);
      }
    }
    this.unsupervised = 0;
    return started;
  }

  private requestStart(targets: Iterable<string>): void {
    const now: string[] = [];
    for (const name of targets) {
      if (this.stateOf(name) !== "STOPPING") {
        now.push(name);
        continue;
      }
      // A stop in progress finishes first; then the daemon is started again.
      if (this.deferredStarts.has(name)) continue;
      const listener: TransitionListener = (transition) => {
        if (transition.state !== "STOPPED" && transition.state !== "FAILED") return;
        this.cancelDeferredStart(name);
        this.supervisor.send({ type: "START", names: [name] });
      };
      this.deferredStarts.set(name, listener);
      this.listen(name, listener);
    }
    if (now.length > 0) this.supervisor.send({ type: "START", names: now });
  }

  /**
   * Resolves when `remaining` is empty, as `step` removes names from it on each transition of
   * one of them; rejects with the error `step` returns.
   */
  private until(
    remaining: Set<string>,
    step: (transition: DaemonTransition, remaining: Set<string>) => Error | undefined,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (remaining.size === 0) return resolve();
      const listener: TransitionListener = (transition) => {
        if (!remaining.has(transition.name)) return;
        const error = step(transition, remaining);
        if (error) {
          this.everyTransition.delete(listener);
          reject(error);
        } else if (remaining.size === 0) {
          this.everyTransition.delete(listener);
          resolve();
        }
      };
      this.everyTransition.add(listener);
    });
  }

  private failure(transition: DaemonTransition): WardenError {
    return new WardenError(
      "WARDEN_ERR_DAEMON_FAILED",
      `daemon "${transition.name}" failed (${transition.reason})${transition.error ? `: ${transition.error}` : ""}`,
    );
  }

  private onTransition(transition: DaemonTransition): void {
    this.lastTransitions.set(transition.name, transition);
    const type = EVENT_OF_STATE[transition.state];
    if (type) this.bus.publish(type, lifecycleData(transition));
    this.logger.debug(
      {
        daemon: transition.name,
        from: transition.from,
        to: transition.state,
        reason: transition.reason,
      },
      "transition",
    );
    // Waiting callers first: they must still see a deferred start that this transition sends.
    for (const listener of this.everyTransition) listener(transition);
    for (const listener of this.listeners.get(transition.name) ?? []) listener(transition);
  }

  private onHealthChange(change: DaemonHealthChange): void {
    const data: LifecycleEventData = {
      daemon: change.name,
      from: "RUNNING",
      healthy: change.healthy,
    };
    if (change.detail !== undefined) data.detail = change.detail;
    this.bus.publish("DAEMON_HEALTH_CHANGED", data);
  }

  private cancelDeferredStart(name: string): void {
    const listener = this.deferredStarts.get(name);
    if (!listener) return;
    this.deferredStarts.delete(name);
    this.unlisten(name, listener);
  }

  private listen(name: string, listener: TransitionListener): void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
  }

  private unlisten(name: string, listener: TransitionListener): void {
    this.listeners.get(name)?.delete(listener);
  }

  private known(name: string): Definition {
    const definition = this.definitions.get(name);
    if (!definition) {
      throw new WardenError(
        "WARDEN_ERR_UNKNOWN_DAEMON",
        `no daemon named "${name}"${suggestion(name, this.definitions.keys())}`,
      );
    }
    return definition;
  }

  private assertOpen(): void {
    if (this.closed || this.supervisor.getSnapshot().status !== "active") {
      throw new WardenError("WARDEN_ERR_MANAGER_CLOSED", "the manager has shut down");
    }
  }

  private captureEscapedErrors(): () => void {
    const onError = (error: unknown) => {
      const owner = currentOwner();
      if (owner) {
        this.logger.error({ daemon: owner.daemon, err: messageOf(error) }, "daemon error escaped");
        owner.crash(error);
      } else {
        this.unhandled(error);
      }
    };
    process.on("uncaughtException", onError);
    process.on("unhandledRejection", onError);
    // RxJS rethrows an observer's error from a timer created inside the publisher's context; left
    // alone, a throwing `events$` observer would be charged to whichever daemon published.
    const previousRxjsHandler = rxjsConfig.onUnhandledError;
    rxjsConfig.onUnhandledError = (error) => this.unhandled(error);
    return () => {
      rxjsConfig.onUnhandledError = previousRxjsHandler;
      process.off("uncaughtException", onError);
      process.off("unhandledRejection", onError);
    };
  }

  private unhandled(error: unknown): void {
    if (this.options.onUnhandledError) this.options.onUnhandledError(error);
    else this.logger.fatal({ err: error }, "unhandled error outside any daemon");
  }
}

/** What a stop does besides waiting for daemons: events, files, closing sockets. */
const STOP_MARGIN_MS = 5_000;

/** The number of daemons on the longest dependency chain of `graph` (acyclic). */
function chainLength(graph: ReadonlyMap<string, readonly string[]>): number {
  const memo = new Map<string, number>();
  const depth = (name: string, seen: Set<string>): number => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    if (seen.has(name)) return 0;
    seen.add(name);
    const below = (graph.get(name) ?? []).map((dependency) => depth(dependency, seen));
    const result = 1 + Math.max(0, ...below);
    memo.set(name, result);
    return result;
  };
  return Math.max(0, ...[...graph.keys()].map((name) => depth(name, new Set())));
}

function lifecycleData(transition: DaemonTransition): LifecycleEventData {
  const data: LifecycleEventData = {
    daemon: transition.name,
    from: transition.from,
    reason: transition.reason,
  };
  if (transition.state === "RESTARTING") {
    data.attempt = transition.attempt;
    data.delayMs = transition.delayMs;
  }
  if (transition.state === "STOPPED") data.forced = transition.forced;
  const blamesDaemon = isCountedRestart(transition.reason);
  if (
    transition.error !== undefined &&
    (transition.state === "FAILED" || (transition.state === "RESTARTING" && blamesDaemon))
  ) {
    data.error = transition.error;
  }
  if (transition.exitCode !== undefined) data.exitCode = transition.exitCode;
  if (transition.signal !== undefined) data.signal = transition.signal;
  return data;
}
