/**
 * The DaemonManager: the public API of warden's runtime (SPEC §3), a façade over named parts —
 * the registry of daemons (daemon-registry.ts), the actor system that supervises them
 * (actor-system.ts), the waiters that commands use (transition-waiters.ts), status
 * (daemon-status.ts), the lifecycle events on the bus (lifecycle-events.ts), the guards that keep
 * processes from outliving the manager (process-guard.ts), the capture of errors that escape
 * daemon code (escaped-errors.ts) and, when asked for, the memory of restarts across manager
 * restarts (restart-memory.ts).
 */
import { resolve } from "node:path";
import { Subject, type Observable } from "rxjs";
import { systemClock, type WardenClock } from "../../actors/clock.ts";
import type { LifecycleContext } from "../../machines/daemon-lifecycle.ts";
import { DEFAULTS } from "../../machines/defaults.ts";
import { resolvePolicy } from "../../machines/daemon-policy.ts";
import type { Envelope } from "../../machines/envelope.ts";
import { WardenError, messageOf } from "../../machines/errors.ts";
import { stateOf, type LifecycleState } from "../../machines/lifecycle-states.ts";
import { ResourceBook } from "../../machines/resource-book.ts";
import type { DaemonTransition } from "../../machines/supervisor-protocol.ts";
import type { DaemonTiming } from "../../machines/watchdog-policy.ts";
import { EventBus } from "../bus/event-bus.ts";
import { silentLogger, type Logger } from "../logger.ts";
import { createActorSystem, type SupervisorActor } from "./actor-system.ts";
import { ConflictGuard } from "./conflict-guard.ts";
import { DaemonCommands } from "./daemon-commands.ts";
import { DaemonRegistry } from "./daemon-registry.ts";
import { statusOf, type DaemonStatus } from "./daemon-status.ts";
import { captureEscapedErrors } from "./escaped-errors.ts";
import { publishHealthChange, publishTransition } from "./lifecycle-events.ts";
import { ProcessGuard } from "./process-guard.ts";
import { RestartMemory } from "./restart-memory.ts";
import {
  supervisedDriver,
  type DaemonImplementation,
  type ProcessOutputLine,
} from "./supervised-driver.ts";
import { TransitionWaiters } from "./transition-waiters.ts";
import { WatchedDriver } from "./watched-driver.ts";
import type { DaemonManagerOptions, RegisterOptions, StartOptions } from "./manager-options.ts";

export type { DaemonStatus } from "./daemon-status.ts";
export type { DaemonManagerOptions, RegisterOptions, StartOptions } from "./manager-options.ts";

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
  private readonly registry = new DaemonRegistry();
  private readonly waiters: TransitionWaiters;
  private readonly commands: DaemonCommands;
  private readonly conflicts: ConflictGuard;
  private readonly escalations = new Subject<string>();
  /** Each daemon's latest transition: status once its lifecycle actor is gone. */
  private readonly lastTransitions = new Map<string, DaemonTransition>();
  /** When each daemon took its latest transition, on the clock. */
  private readonly transitionTimes = new Map<string, number>();
  /** Each daemon's driver as its lifecycle actor runs it: heartbeat times, interrupts. */
  private readonly watchedDrivers = new Map<string, WatchedDriver>();
  /** Whether daemons registered from now on are watched: set by `watchDaemons()`. */
  private watched = false;
  private readonly supervisor: SupervisorActor;
  /** The machine's resources (SPEC §6a): granted by the supervisor, read by status and metrics. */
  readonly resources: ResourceBook;
  private readonly processGuard: ProcessGuard;
  /** Restart counters and FAILED daemons across manager restarts, when `restartState` is on. */
  private readonly memory: RestartMemory | undefined;
  private closed = false;
  private readonly releaseErrorCapture: () => void;
  private readonly outputLines = new Subject<ProcessOutputLine>();
  /** Every line process daemons write on stdout and stderr (their log files have them too). */
  readonly output$: Observable<ProcessOutputLine> = this.outputLines.asObservable();
  /** Emits the name of a critical daemon whose failure shut the manager down. */
  readonly escalated$: Observable<string> = this.escalations.asObservable();

  constructor(private readonly options: DaemonManagerOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.stateDir = resolve(options.stateDir ?? DEFAULTS.stateDir);
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger();
    this.bus = new EventBus({
      clock: this.clock,
      ...(options.eventIdPrefix !== undefined ? { idPrefix: options.eventIdPrefix } : {}),
      ...(options.journal ? { journal: options.journal } : {}),
      ...(options.deadLetters ? { deadLetters: options.deadLetters } : {}),
    });
    this.events$ = this.bus.events$;
    this.waiters = new TransitionWaiters(this.clock);
    this.processGuard = new ProcessGuard(() => this.killAllNow(), this.logger);
    this.memory = options.restartState
      ? new RestartMemory({
          stateDir: this.stateDir,
          clock: this.clock,
          logger: this.logger,
          knows: (name) => this.registry.has(name),
        })
      : undefined;
    this.resources = new ResourceBook(options.resources ?? {});
    this.supervisor = createActorSystem({
      clock: this.clock,
      resources: this.resources,
      onWaiting: (daemon, waitingFor) =>
        this.bus.publish("DAEMON_WAITING", { daemon, from: "PENDING", waitingFor }),
      groupSize: options.groupSize,
      inspect: options.inspect,
      machines: options.machines,
      onTransition: (transition) => this.onTransition(transition),
      onHealthChange: (change) => publishHealthChange(this.bus, change),
      onEscalated: (name) => this.escalations.next(name),
      onError: (error) => this.unhandled(error),
    });
    this.conflicts = new ConflictGuard({
      registry: this.registry,
      stateOf: (name) => this.stateOf(name),
      startRequested: (name) => this.contextOf(name)?.startRequested === true,
      stopNow: (name) => this.commands.send("STOP", [name]),
      logger: this.logger,
    });
    this.commands = new DaemonCommands({
      registry: this.registry,
      waiters: this.waiters,
      supervisor: this.supervisor,
      clock: this.clock,
      random: this.random,
      stateOf: (name) => this.stateOf(name),
      beforeStart: () =>
        this.processGuard.active
          ? this.processGuard.reapOrphansOnce(resolve(this.stateDir, "pids"))
          : undefined,
      memory: this.memory,
      conflicts: this.conflicts,
    });
    this.releaseErrorCapture =
      options.captureEscapedErrors === false
        ? () => {}
        : captureEscapedErrors(this.logger, (error) => this.unhandled(error));
  }

  /** Adds a daemon. Dependencies may be registered later; the graph is checked before a start. */
  register(name: string, daemon: DaemonImplementation, options: RegisterOptions = {}): void {
    this.assertOpen();
    this.registry.assertNew(name);
    const policy = resolvePolicy(options);
    const requires = options.requires ?? {};
    try {
      this.resources.declare(name, requires);
    } catch (error) {
      throw new WardenError("WARDEN_ERR_CONFIG", `daemon "${name}": ${messageOf(error)}`);
    }
    const supervised = supervisedDriver(name, daemon, policy, {
      resourcesOf: (holder) => this.resources.unitsOf(holder),
      clock: this.clock,
      bus: this.bus,
      logger: this.logger,
      stateDir: this.stateDir,
      memorySampleMs: this.options.memorySampleMs,
      onOutput: (line) => {
        if (this.outputLines.observed) this.outputLines.next(line);
      },
      onProcessInstance: (daemon, instance) => this.processGuard.track(daemon, instance),
    });
    const dependsOn = [...(options.dependsOn ?? [])];
    const { description, conflicts } = options;
    // Watched only for a DAEMON_WATCHDOG: the wrapper costs every start and stop a promise hop
    // (benchmark (c) went from 1.09× to 1.15× of the critical path with it on every daemon).
    const driver = this.watched
      ? new WatchedDriver(supervised.driver, this.clock, policy.heartbeatTimeoutMs !== undefined)
      : undefined;
    if (driver) this.watchedDrivers.set(name, driver);
    this.registry.add({
      name,
      dependsOn,
      policy,
      description,
      requires,
      ...(conflicts ? { conflicts: [...conflicts] } : {}),
      supervised: driver ? { ...supervised, driver } : supervised,
    });
    if (supervised.kind === "process") this.processGuard.install();
  }

  /** Checks the dependency graph (unknown dependencies, cycles) without starting anything. */
  validate(): void {
    this.registry.validate();
  }

  /** Names of all registered daemons, in registration order. */
  names(): string[] {
    return this.registry.names();
  }

  /**
   * Starts a daemon and whatever it depends on; resolves once it is RUNNING. Started by name,
   * a daemon FAILED from before the manager restarted starts too, its counter reset
   * (`restartState`). Refused with WARDEN_ERR_CONFLICT while a daemon it (or a dependency it
   * would start) conflicts with is active (runtime/manager/conflict-guard.ts), unless
   * `options.replace`, which stops those first.
   */
  async start(name: string, options: StartOptions = {}): Promise<void> {
    this.registry.get(name);
    this.assertOpen();
    if (options.replace) await this.conflicts.replaceFor(name, (other) => this.stop(other));
    await this.commands.startMany([name], [name]);
  }

  /**
   * Starts every registered daemon in dependency order; resolves once all are RUNNING. One
   * FAILED from before the manager restarted stays FAILED (`restartState`), and the start
   * rejects.
   */
  async startAll(): Promise<void> {
    await this.startMany(this.names());
  }

  /**
   * Starts the given daemons and their dependencies; resolves when all of them are RUNNING,
   * rejects as soon as one of them reaches FAILED (the others stay supervised). As startAll, it
   * leaves a daemon FAILED from before the manager restarted FAILED.
   */
  startMany(names: readonly string[]): Promise<void> {
    this.assertOpen();
    return this.commands.startMany(names);
  }

  /** Stops one daemon; its dependents wait in RESTARTING until it runs again. */
  stop(name: string): Promise<void> {
    return this.commands.stop(name);
  }

  /** Stops everything: dependents before their dependencies, in parallel where possible. */
  stopAll(): Promise<void> {
    return this.commands.stopAll();
  }

  /**
   * Restarts a daemon (no backoff, not counted); a stopped or failed one is started, by name
   * (as `start`).
   */
  restart(name: string): Promise<void> {
    return this.commands.restart(name);
  }

  /** Resolves when `name` is in `state`; rejects after `timeoutMs` on the manager's clock. */
  waitFor(
    name: string,
    state: LifecycleState,
    timeoutMs: number = DEFAULTS.waitForMs,
  ): Promise<void> {
    this.registry.get(name);
    return this.waiters.waitFor(name, state, timeoutMs, () => this.stateOf(name));
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
    const context = this.contextOf(name);
    const standing = { state: this.stateOf(name), context, now: this.clock.now() };
    const resources = {
      units: this.resources.unitsOf(name),
      waitingFor: this.resources.waitingFor(name),
    };
    const last = this.lastTransitions.get(name);
    return statusOf(this.registry.get(name), { ...standing, last, resources });
  }

  /**
   * From now on, registered daemons are watched: their heartbeat times are kept and their starts
   * and stops can be interrupted (`timings()`, `interrupt()`). DAEMON_WATCHDOG asks for it when
   * it is made, so make it before the daemons it watches; a manager without one pays nothing.
   *
   * @example
   * const watchdog = daemonWatchdog({ manager }); // calls manager.watchDaemons()
   * manager.register("api", api); // watched
   */
  watchDaemons(): void {
    this.watched = true;
  }

  /**
   * Where each daemon stands in time, in registration order: its state since when, its latest
   * heartbeat and its timeouts. What DAEMON_WATCHDOG reads (runtime/builtins/daemon-watchdog.ts).
   *
   * @example
   * manager.timings(); // [{ name: "db", state: "STARTING", since: 1700000000000, ... }]
   */
  timings(): DaemonTiming[] {
    return this.names().map((name) => {
      const { policy } = this.registry.get(name);
      const state = this.stateOf(name);
      const known = this.lastTransitions.get(name)?.state === state;
      return {
        name,
        state,
        since: known ? this.transitionTimes.get(name) : undefined,
        lastHeartbeatAt: this.watchedDrivers.get(name)?.lastHeartbeatAt,
        startTimeoutMs: policy.startTimeoutMs,
        stopTimeoutMs: policy.stopTimeoutMs,
        heartbeatTimeoutMs: policy.heartbeatTimeoutMs,
      };
    });
  }

  /**
   * Ends a start or a stop of `name` that hangs past the chart's own deadline, as that deadline
   * would: its instance is killed and the start or stop fails with `reason` (a failed start is
   * then restarted or FAILED by the restart policy; a failed stop ends in STOPPED). For
   * DAEMON_WATCHDOG. False when no such start or stop is in progress.
   *
   * @example
   * manager.interrupt("db", "stop", "stop forced by DAEMON_WATCHDOG"); // true
   */
  interrupt(name: string, step: "start" | "stop", reason: string): boolean {
    this.registry.get(name);
    return this.watchedDrivers.get(name)?.interrupt(step, new Error(reason)) ?? false;
  }

  /**
   * Stops everything in order, then the supervisor itself. Idempotent. What fails while
   * releasing a daemon's resources (a read-only state directory) is logged; the close goes on.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.stopAll();
    this.closed = true;
    this.memory?.flush();
    this.supervisor.stop();
    await this.registry.disposeAll((error) =>
      this.logger.error({ err: messageOf(error) }, "cannot release a daemon's resources"),
    );
    this.processGuard.release();
    this.releaseErrorCapture();
  }

  /** Puts back process daemons' notify sockets whose files are gone; names those it re-created. */
  repairProcesses(): Promise<string[]> {
    return this.registry.repairAll();
  }

  /** SIGKILLs every process daemon's processes, synchronously: the manager exits unordered. */
  killAllNow(): void {
    this.registry.killAllNow();
  }

  /** How long an ordered stop of everything may take (DaemonRegistry.stopBudgetMs). */
  stopBudgetMs(): number {
    return this.registry.stopBudgetMs();
  }

  private onTransition(transition: DaemonTransition): void {
    this.lastTransitions.set(transition.name, transition);
    this.transitionTimes.set(transition.name, this.clock.now());
    publishTransition(this.bus, transition);
    const { name, from, state: to, reason } = transition;
    this.logger.debug({ daemon: name, from, to, reason }, "transition");
    if (this.memory) this.memory.note(name, transition, this.contextOf(name));
    this.waiters.next(transition);
    if (to === "STARTING") this.conflicts.onStarting(name);
  }

  /** The context of `name`'s lifecycle actor, while it has one. */
  private contextOf(name: string): LifecycleContext | undefined {
    return this.supervisor.system.get(name)?.getSnapshot().context as LifecycleContext | undefined;
  }

  private assertOpen(): void {
    if (this.closed || this.supervisor.getSnapshot().status !== "active") {
      throw new WardenError("WARDEN_ERR_MANAGER_CLOSED", "the manager has shut down");
    }
  }

  private unhandled(error: unknown): void {
    if (this.options.onUnhandledError) this.options.onUnhandledError(error);
    else this.logger.fatal({ err: error }, "unhandled error outside any daemon");
  }
}
