/**
 * What the DaemonManager's commands do with the supervisor: start (with dependencies; a start
 * asked for while a daemon is STOPPING is the chart's to keep), stop, stop everything in order,
 * restart; each resolves once the daemons
 * got there, through the waiters (transition-waiters.ts), or rejects saying why not.
 */
import type { WardenClock } from "../../actors/clock.ts";
import { dependencyClosure } from "../../machines/dependency-graph.ts";
import { WardenError } from "../../machines/errors.ts";
import type { LifecycleState } from "../../machines/lifecycle-states.ts";
import type { DaemonTransition } from "../../machines/supervisor-protocol.ts";
import { registerDaemon, type SupervisorActor } from "./actor-system.ts";
import type { DaemonRegistry } from "./daemon-registry.ts";
import type { TransitionWaiters } from "./transition-waiters.ts";

/** The parts of a manager its commands work with. */
export interface CommandParts {
  registry: DaemonRegistry;
  waiters: TransitionWaiters;
  supervisor: SupervisorActor;
  clock: WardenClock;
  random: () => number;
  stateOf(name: string): LifecycleState;
  /**
   * What must finish before a start (the orphan reaping of process daemons), or undefined when
   * nothing must: a start then goes on synchronously.
   */
  beforeStart(): Promise<void> | undefined;
}

export class DaemonCommands {
  constructor(private readonly parts: CommandParts) {}

  /**
   * Starts the given daemons and their dependencies; resolves when all of them are RUNNING,
   * rejects as soon as one of them reaches FAILED (the others stay supervised).
   */
  async startMany(names: readonly string[]): Promise<void> {
    names.forEach((name) => this.parts.registry.get(name));
    const before = this.parts.beforeStart();
    if (before) await before;
    this.parts.registry.validate();
    const targets = dependencyClosure(names, this.parts.registry.graph);
    const waiting = new Set([...targets].filter((name) => this.parts.stateOf(name) !== "RUNNING"));
    const running = this.parts.waiters.until(waiting, (transition, remaining) => {
      if (transition.state === "RUNNING") remaining.delete(transition.name);
      else if (transition.state === "FAILED") return failure(transition);
      // STOPPED is announced at the end of a stop that was running when the start came in;
      // the chart then goes on to PENDING by itself (a start asked for while STOPPING), so only
      // a daemon still STOPPED was stopped for good.
      else if (transition.state === "STOPPED" && names.includes(transition.name)) {
        if (this.parts.stateOf(transition.name) === "STOPPED") {
          return stoppedBefore(transition.name, "");
        }
      }
      return undefined;
    });
    // Each daemon starts as soon as it is registered: the first ones are already on their way
    // while the rest of a large graph is still being handed to the supervisor.
    const started = this.supervise(targets);
    this.send(
      "START",
      [...targets].filter((name) => !started.has(name)),
    );
    await running;
  }

  /** Stops one daemon; its dependents wait in RESTARTING until it runs again. */
  async stop(name: string): Promise<void> {
    this.parts.registry.get(name);
    this.supervise();
    const state = this.parts.stateOf(name);
    if (state === "STOPPED") return;
    // A FAILED daemon stays FAILED, but its cool-down (if any) no longer brings it back.
    const stopped =
      state === "FAILED"
        ? Promise.resolve()
        : this.parts.waiters.until(new Set([name]), (transition, remaining) => {
            if (transition.state === "STOPPED" || transition.state === "FAILED") {
              remaining.delete(transition.name);
            }
            return undefined;
          });
    this.send("STOP", [name]);
    await stopped;
  }

  /** Stops everything: dependents before their dependencies, in parallel where possible. */
  async stopAll(): Promise<void> {
    if (this.parts.supervisor.getSnapshot().status !== "active") return;
    // No supervise() here: daemons never handed to the supervisor have nothing to stop, and an
    // invalid graph registered since must not make stopAll() and close() throw.
    const done = new Promise<void>((resolve) => {
      const subscription = this.parts.supervisor.subscribe((snapshot) => {
        if (snapshot.value === "idle" || snapshot.status === "done") {
          subscription.unsubscribe();
          resolve();
        }
      });
    });
    this.parts.supervisor.send({ type: "SHUTDOWN" });
    if (this.parts.supervisor.getSnapshot().value === "idle") return;
    await done;
  }

  /** Restarts a daemon (no backoff, not counted); a stopped or failed one is started. */
  async restart(name: string): Promise<void> {
    this.parts.registry.get(name);
    this.supervise();
    // STARTING ignores RESTART: the start in progress is the restart.
    if (this.parts.stateOf(name) !== "RUNNING") return this.startMany([name]);
    let left = false;
    const running = this.parts.waiters.until(new Set([name]), (transition, remaining) => {
      if (transition.state !== "RUNNING") left = true;
      if (transition.state === "FAILED") return failure(transition);
      if (transition.state === "STOPPED") return stoppedBefore(name, " again");
      if (transition.state === "RUNNING" && left) remaining.delete(name);
      return undefined;
    });
    this.send("RESTART", [name]);
    await running;
  }

  /**
   * Hands every daemon registered since the last time to the supervisor, dependencies first;
   * those in `startNow` are sent START right after their registration. Returns those started.
   */
  supervise(startNow: ReadonlySet<string> = new Set()): Set<string> {
    const started = new Set<string>();
    for (const definition of this.parts.registry.takeUnsupervised()) {
      const { supervised } = definition;
      registerDaemon(
        this.parts.supervisor,
        { ...definition, driver: supervised.driver },
        this.parts.clock,
        this.parts.random,
      );
      if (!startNow.has(definition.name)) continue;
      this.send("START", [definition.name]);
      started.add(definition.name);
    }
    return started;
  }

  send(type: "START" | "STOP" | "RESTART", names: string[]): void {
    if (names.length > 0) this.parts.supervisor.send({ type, names });
  }
}

function failure(transition: DaemonTransition): WardenError {
  const error = transition.error ? `: ${transition.error}` : "";
  return new WardenError(
    "WARDEN_ERR_DAEMON_FAILED",
    `daemon "${transition.name}" failed (${transition.reason})${error}`,
  );
}

function stoppedBefore(name: string, again: string): WardenError {
  return new WardenError(
    "WARDEN_ERR_DAEMON_STOPPED",
    `daemon "${name}" was stopped before it was running${again}`,
  );
}
