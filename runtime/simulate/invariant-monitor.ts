/**
 * The invariants of a run (invariants.ts) wired to its manager and plan: the event rules see
 * every event as it is published, the state rules run after each step in which a daemon
 * changed state, and the shutdown rules once everything has stopped.
 */
import type { Envelope } from "../../machines/envelope.ts";
import type { DaemonManager } from "../manager/daemon-manager.ts";
import { EventRules } from "./event-rules.ts";
import { InvariantLog } from "./invariants.ts";
import type { SimulationPlan } from "./simulation-plan.ts";
import { StateRules } from "./state-rules.ts";

/**
 * Every invariant of a run, fed by its events and steps.
 *
 * @example
 * const monitor = new InvariantMonitor(plan, manager, start);
 * manager.events$.subscribe((event) => monitor.observe(event));
 * monitor.afterStep(clock.now());
 * monitor.log.first; // the first violation, if any
 */
export class InvariantMonitor {
  readonly log = new InvariantLog();
  /** Set once the ordered shutdown has begun: the stop-order rule applies from then on. */
  shuttingDown = false;
  private readonly eventRules: EventRules;
  private readonly stateRules: StateRules;
  /** A daemon changed state since the state rules last ran. */
  private changed = false;

  constructor(plan: SimulationPlan, manager: DaemonManager, startedAt: number) {
    const stateOf = (name: string) => manager.stateOf(name);
    const dependents = new Map<string, string[]>(plan.daemons.map((d) => [d.name, []]));
    for (const daemon of plan.daemons) {
      for (const dependency of daemon.dependsOn) dependents.get(dependency)?.push(daemon.name);
    }
    this.eventRules = new EventRules({
      daemons: plan.daemons.map((d) => ({
        name: d.name,
        policy: d.policy,
        dependents: dependents.get(d.name)!,
      })),
      log: this.log,
      startedAt,
      shuttingDown: () => this.shuttingDown,
      stateOf,
    });
    this.stateRules = new StateRules({
      daemons: plan.daemons.map((d) => ({
        name: d.name,
        dependsOn: d.dependsOn,
        requires: d.options.requires ?? {},
        conflicts: d.options.conflicts ?? [],
      })),
      log: this.log,
      startedAt,
      stateOf,
      usage: () => manager.resources.usage(),
      unitsOf: (name) => manager.resources.unitsOf(name),
    });
  }

  /** Each event as it is published. */
  observe(event: Envelope): void {
    this.eventRules.observe(event);
    this.changed = true;
  }

  /** After a step has settled, at `now`: the state rules, if anything happened. */
  afterStep(now: number): void {
    if (!this.changed) return;
    this.changed = false;
    this.stateRules.afterStep(now);
  }

  /** Once the shutdown is over, at `now`. */
  afterShutdown(now: number): void {
    this.stateRules.afterShutdown(now, (name) => this.eventRules.announced(name));
  }
}
