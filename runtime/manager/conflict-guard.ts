/**
 * Keeps conflicting daemons (SPEC §6a, `conflicts`) from running at once. The rule: a daemon is
 * *active* from the moment a start is asked of it until it is STOPPED or FAILED — PENDING with a
 * start requested, STARTING, RUNNING, RESTARTING (its automatic restarts included) and STOPPING
 * (its old instance may still run). A start that would make a daemon active while a daemon it
 * conflicts with is active is refused (`WARDEN_ERR_CONFLICT`, exit 1), unless the caller asked to
 * replace, which stops the active ones first. So an automatic restart never meets a conflicting
 * daemon started meanwhile: that start was refused. The one way left — a FAILED daemon's
 * cool-down (`retryFailedAfterMs`) bringing it back — is caught when it enters STARTING: the
 * newcomer is stopped, the daemon already there keeps running (`onStarting`).
 */
import { conflictRelation } from "../../machines/daemon-conflicts.ts";
import { dependencyClosure } from "../../machines/dependency-graph.ts";
import { WardenError } from "../../machines/errors.ts";
import type { LifecycleState } from "../../machines/lifecycle-states.ts";
import type { Logger } from "../logger.ts";
import type { DaemonRegistry } from "./daemon-registry.ts";

/** What the guard needs of the manager. */
export interface ConflictParts {
  registry: DaemonRegistry;
  stateOf(name: string): LifecycleState;
  /** Whether a start of `name` was asked and not yet undone (PENDING waiting for dependencies). */
  startRequested(name: string): boolean;
  /** Sends STOP to `name` without waiting. */
  stopNow(name: string): void;
  logger: Logger;
}

const ACTIVE_STATES: ReadonlySet<LifecycleState> = new Set([
  "STARTING",
  "RUNNING",
  "RESTARTING",
  "STOPPING",
]);

export class ConflictGuard {
  private relation: Map<string, Set<string>> | undefined;
  private relationSize = -1;

  constructor(private readonly parts: ConflictParts) {}

  /** Whether `name` is active in the sense of the rule above. */
  isActive(name: string): boolean {
    const state = this.parts.stateOf(name);
    return ACTIVE_STATES.has(state) || (state === "PENDING" && this.parts.startRequested(name));
  }

  /** The daemons `name` conflicts with, whichever side declared it. */
  conflictsOf(name: string): ReadonlySet<string> {
    return this.conflicts().get(name) ?? new Set();
  }

  /** The active daemons that conflict with one of `targets` not active yet. */
  activeOpponents(targets: ReadonlySet<string>): string[] {
    const opponents = new Set<string>();
    for (const name of targets) {
      if (this.isActive(name)) continue;
      for (const other of this.conflictsOf(name)) {
        if (this.isActive(other)) opponents.add(other);
      }
    }
    return [...opponents];
  }

  /**
   * Throws WARDEN_ERR_CONFLICT when starting `targets` (a start's closure) would make a daemon
   * active beside one it conflicts with: an active one, or another of `targets`.
   */
  assertStartable(targets: ReadonlySet<string>): void {
    for (const name of targets) {
      if (this.isActive(name)) continue;
      for (const other of this.conflictsOf(name)) {
        if (this.isActive(other)) {
          throw new WardenError(
            "WARDEN_ERR_CONFLICT",
            `cannot start "${name}": it conflicts with "${other}", which is ${this.parts.stateOf(other)}; ` +
              `stop "${other}" first, or start with --replace (stops it first)`,
          );
        }
        if (targets.has(other)) {
          throw new WardenError(
            "WARDEN_ERR_CONFLICT",
            `cannot start "${name}" and "${other}" together: they conflict`,
          );
        }
      }
    }
  }

  /** `--replace`: stops the active daemons that `name` or a dependency it starts conflicts with. */
  async replaceFor(name: string, stop: (name: string) => Promise<void>): Promise<void> {
    const closure = dependencyClosure([name], this.parts.registry.graph);
    await Promise.all(this.activeOpponents(closure).map((other) => stop(other)));
  }

  /**
   * `name` enters STARTING: beside an active daemon it conflicts with (only a FAILED daemon's
   * cool-down gets there, starts by command are refused), it is stopped; the other stays.
   */
  onStarting(name: string): void {
    const other = [...this.conflictsOf(name)].find((peer) => this.isActive(peer));
    if (other === undefined) return;
    this.parts.logger.warn({ daemon: name, conflictsWith: other }, "conflicting daemon active");
    queueMicrotask(() => this.parts.stopNow(name));
  }

  private conflicts(): Map<string, Set<string>> {
    const definitions = [...this.parts.registry.all()];
    if (!this.relation || this.relationSize !== definitions.length) {
      this.relation = conflictRelation(
        new Map(definitions.map((definition) => [definition.name, definition.conflicts ?? []])),
      );
      this.relationSize = definitions.length;
    }
    return this.relation;
  }
}
