/**
 * The invariants checked on the actors' own states after every step in which a daemon changed
 * state (invariants.ts): dependencies, resources and conflicts; and, once everything has stopped,
 * the shutdown rules.
 */
import { conflictRelation } from "../../machines/daemon-conflicts.ts";
import type { LifecycleState } from "../../machines/lifecycle-states.ts";
import type { ResourceUsage } from "../../machines/resource-book.ts";
import type { InvariantLog } from "./invariants.ts";

export interface StateDaemon {
  name: string;
  dependsOn: readonly string[];
  requires: Readonly<Record<string, number>>;
  conflicts: readonly string[];
}

export interface StateRulesOptions {
  daemons: readonly StateDaemon[];
  log: InvariantLog;
  startedAt: number;
  stateOf(name: string): LifecycleState;
  /** The resource book's view: who holds which units. */
  usage(): ResourceUsage[];
  unitsOf(name: string): Readonly<Record<string, readonly number[]>>;
}

const LIVE: ReadonlySet<LifecycleState> = new Set(["STARTING", "RUNNING"]);
const INSTANCE_MAY_RUN: ReadonlySet<LifecycleState> = new Set(["STARTING", "RUNNING", "STOPPING"]);

/**
 * Checks the state rules on the actors' states, into an InvariantLog.
 *
 * @example
 * const rules = new StateRules({ daemons, log, startedAt, stateOf, usage, unitsOf });
 * rules.afterStep(clock.now());
 */
export class StateRules {
  private readonly names: string[];
  /** Each daemon's dependencies, as indexes into `names`. */
  private readonly dependencies: number[][];
  private readonly conflicts: [number, number][];
  private readonly needy: StateDaemon[];
  /** The states of the latest check, by index (reused: a check runs after most steps). */
  private readonly states: LifecycleState[];

  constructor(private readonly options: StateRulesOptions) {
    this.names = options.daemons.map((daemon) => daemon.name);
    const index = new Map(this.names.map((name, i) => [name, i]));
    this.dependencies = options.daemons.map((daemon) =>
      daemon.dependsOn.map((name) => index.get(name) ?? -1),
    );
    const relation = conflictRelation(new Map(options.daemons.map((d) => [d.name, d.conflicts])));
    this.conflicts = [...relation].flatMap(([a, others]) =>
      [...others]
        .filter((b) => a < b && index.has(a) && index.has(b))
        .map((b): [number, number] => [index.get(a)!, index.get(b)!]),
    );
    this.needy = options.daemons.filter((daemon) => Object.keys(daemon.requires).length > 0);
    this.states = this.names.map(() => "PENDING");
  }

  /** After a step at `now`: every state rule, on the actors' current states. */
  afterStep(now: number): void {
    const { log, stateOf } = this.options;
    const { names, states } = this;
    const at = now - this.options.startedAt;
    for (let i = 0; i < names.length; i++) states[i] = stateOf(names[i]!);
    for (let i = 0; i < names.length; i++) {
      const state = states[i]!;
      if (!LIVE.has(state)) continue;
      for (const d of this.dependencies[i]!) {
        const depState = states[d];
        log.check(depState === "RUNNING", () => ({
          invariant: "dependencies-running",
          at,
          daemon: names[i]!,
          message: `${names[i]} is ${state} while its dependency ${names[d]} is ${depState}`,
        }));
      }
    }
    for (const [a, b] of this.conflicts) {
      const both = INSTANCE_MAY_RUN.has(states[a]!) && INSTANCE_MAY_RUN.has(states[b]!);
      log.check(!both, () => ({
        invariant: "no-conflicting-daemons",
        at,
        daemon: names[a]!,
        message: `${names[a]} (${states[a]}) and ${names[b]} (${states[b]}) conflict but run at once`,
      }));
    }
    if (this.needy.length > 0) {
      this.checkResources(new Map(names.map((name, i) => [name, states[i]!])), at);
    }
  }

  /** After the shutdown: every daemon at rest, as its last event said. */
  afterShutdown(now: number, announced: (name: string) => LifecycleState | undefined): void {
    const { log, stateOf } = this.options;
    const at = now - this.options.startedAt;
    for (const { name } of this.options.daemons) {
      const state = stateOf(name);
      log.check(state === "STOPPED" || state === "FAILED", () => ({
        invariant: "final-after-shutdown",
        at,
        daemon: name,
        message: `${name} is ${state} after the shutdown`,
      }));
      const last = announced(name);
      log.check(last === state, () => ({
        invariant: "no-event-lost",
        at,
        daemon: name,
        message: `${name} is ${state}, but its last event announced ${last}`,
      }));
    }
  }

  private checkResources(states: ReadonlyMap<string, LifecycleState>, at: number): void {
    const { log } = this.options;
    for (const usage of this.options.usage()) {
      const units = usage.held.flatMap((held) => held.units);
      const distinct = new Set(units);
      const within = units.every((unit) => unit >= 0 && unit < usage.capacity);
      log.check(distinct.size === units.length && within, () => ({
        invariant: "resources-within-capacity",
        at,
        message: `${usage.name}: units ${units.join(",")} held of ${usage.capacity} (${usage.held
          .map((held) => `${held.holder}: ${held.units.join(",")}`)
          .join("; ")})`,
      }));
    }
    for (const daemon of this.needy) {
      if (!LIVE.has(states.get(daemon.name)!)) continue;
      const held = this.options.unitsOf(daemon.name);
      for (const [resource, count] of Object.entries(daemon.requires)) {
        log.check((held[resource]?.length ?? 0) === count, () => ({
          invariant: "resources-within-capacity",
          at,
          daemon: daemon.name,
          message: `${daemon.name} is ${states.get(daemon.name)} holding ${held[resource]?.length ?? 0} of the ${count} ${resource} it requires`,
        }));
      }
    }
  }
}
