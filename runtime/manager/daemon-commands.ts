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
import { FAILED_BEFORE_RESTART } from "../../machines/restart-record.ts";
import type { DaemonTransition } from "../../machines/supervisor-protocol.ts";
import { registerDaemon, type SupervisorActor } from "./actor-system.ts";
import type { ConflictGuard } from "./conflict-guard.ts";
import type { DaemonRegistry } from "./daemon-registry.ts";
import type { RestartMemory } from "./restart-memory.ts";
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
  /** What previous managers left of each daemon's restarts; none when not persisted. */
  memory: RestartMemory | undefined;
  /** Refuses a start beside a conflicting daemon (SPEC §6a). */
  conflicts?: ConflictGuard;
}

export class DaemonCommands {
  constructor(private readonly parts: CommandParts) {}

  /**
   * Starts the given daemons and their dependencies; resolves when all of them are RUNNING,
   * rejects as soon as one of them reaches FAILED (the others stay supervised). Those in
   * `byName` are started by name: one that is FAILED from before the manager restarted is
   * started too (restart-memory.ts); any other stays FAILED, and the start rejects.
   */
  async startMany(names: readonly string[], byName: readonly string[] = []): Promise<void> {
    names.forEach((name) => this.parts.registry.get(name));
    const before = this.parts.beforeStart();
    if (before) await before;
    this.parts.registry.validate();
    const targets = dependencyClosure(names, this.parts.registry.graph);
    this.parts.conflicts?.assertStartable(targets);
    const { memory } = this.parts;
    for (const name of byName) memory?.release(name);
    const held = memory && [...targets].find((name) => memory.isHeld(name));
    if (held !== undefined) {
      // Already FAILED, so no transition will say so: the others start, and the start fails now.
      this.startSupervised(targets, byName);
      throw heldFailure(held, memory?.failureOf(held)?.error);
    }
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
    this.startSupervised(targets, byName);
    await running;
  }

  /**
   * Sends START to `targets`, handing those not yet supervised over first. Each daemon starts
   * as soon as it is registered: the first ones are already on their way while the rest of a
   * large graph is still being handed to the supervisor. Held daemons are left FAILED.
   */
  private startSupervised(targets: ReadonlySet<string>, byName: readonly string[]): void {
    const started = this.supervise(targets, byName);
    const { memory } = this.parts;
    this.send(
      "START",
      [...targets].filter((name) => !started.has(name) && !memory?.isHeld(name)),
    );
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
    if (this.parts.stateOf(name) !== "RUNNING") return this.startMany([name], [name]);
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
   * Hands every daemon registered since the last time to the supervisor, dependencies first,
   * each with the restart counters a previous manager left (restart-memory.ts); one that was
   * FAILED goes back to FAILED unless it is in `byName`. Those in `startNow` and not FAILED so
   * are sent START right after their registration. Returns those started.
   */
  supervise(
    startNow: ReadonlySet<string> = new Set(),
    byName: readonly string[] = [],
  ): Set<string> {
    const started = new Set<string>();
    const { memory, supervisor } = this.parts;
    for (const definition of this.parts.registry.takeUnsupervised()) {
      const { supervised, name } = definition;
      const resumed = memory?.resume(name, definition.policy, byName.includes(name));
      registerDaemon(
        supervisor,
        { ...definition, driver: supervised.driver, restored: resumed },
        this.parts.clock,
        this.parts.random,
      );
      if (resumed?.failed) {
        const { at, error } = resumed.failed;
        supervisor.send({ type: "RESUME_FAILED", name, at, error });
        continue;
      }
      if (!startNow.has(name)) continue;
      this.send("START", [name]);
      started.add(name);
    }
    return started;
  }

  send(type: "START" | "STOP" | "RESTART", names: string[]): void {
    if (names.length > 0) this.parts.supervisor.send({ type, names });
  }
}

function failure(transition: DaemonTransition): WardenError {
  if (transition.reason === FAILED_BEFORE_RESTART) {
    return heldFailure(transition.name, transition.error);
  }
  const error = transition.error ? `: ${transition.error}` : "";
  return new WardenError(
    "WARDEN_ERR_DAEMON_FAILED",
    `daemon "${transition.name}" failed (${transition.reason})${error}`,
  );
}

/** A daemon FAILED from before the manager restarted, that a plain start leaves FAILED. */
function heldFailure(name: string, error: string | undefined): WardenError {
  return new WardenError(
    "WARDEN_ERR_DAEMON_FAILED",
    `daemon "${name}" is still FAILED from before the manager restarted${error ? `: ${error}` : ""}; start or restart it by name to retry (\`warden start ${name}\`)`,
  );
}

function stoppedBefore(name: string, again: string): WardenError {
  return new WardenError(
    "WARDEN_ERR_DAEMON_STOPPED",
    `daemon "${name}" was stopped before it was running${again}`,
  );
}
