/**
 * The root supervisor's bookkeeping (SPEC §3): which daemon depends on which, what state each is
 * in, and what the supervisor must tell whom when one of them moves. Pure logic, no I/O; it is
 * mutable and lives outside the XState snapshot on purpose, so that each transition costs
 * O(its fan-out) and 100,000 daemons do not cost 100,000 copies per event (SPEC §13).
 */
import { RESTING_STATES, type LifecycleState } from "./lifecycle-states.ts";

/** An instruction for one lifecycle actor. */
export type Directive =
  | { to: string; type: "DEPENDENCIES_READY" }
  | { to: string; type: "DEPENDENCY_LOST"; dependency: string }
  | { to: string; type: "STOP" };

interface Entry {
  readonly dependencies: readonly string[];
  readonly dependents: string[];
  readonly critical: boolean;
  state: LifecycleState;
  /** How many of its dependencies are RUNNING right now. */
  runningDependencies: number;
  /** Asked to stop during the current shutdown. */
  stopRequested: boolean;
}

export class SupervisionBook {
  private readonly entries = new Map<string, Entry>();
  /** Dependents registered before the daemon they depend on. */
  private readonly awaiting = new Map<string, string[]>();
  private active = 0;
  private shuttingDown = false;
  /** Longest chain of dependents below each daemon, itself included; cleared by `add`. */
  private readonly heights = new Map<string, number>();

  get size(): number {
    return this.entries.size;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  stateOf(name: string): LifecycleState | undefined {
    return this.entries.get(name)?.state;
  }

  dependenciesOf(name: string): readonly string[] {
    return this.entries.get(name)?.dependencies ?? [];
  }

  dependentsOf(name: string): readonly string[] {
    return this.entries.get(name)?.dependents ?? [];
  }

  isCritical(name: string): boolean {
    return this.entries.get(name)?.critical ?? false;
  }

  /** True when every dependency of `name` is RUNNING. */
  dependenciesReady(name: string): boolean {
    const entry = this.entries.get(name);
    return entry !== undefined && entry.runningDependencies === entry.dependencies.length;
  }

  /** Adds a daemon in PENDING; returns whether its dependencies are all RUNNING already. */
  add(name: string, dependencies: readonly string[], critical: boolean): boolean {
    if (this.entries.has(name)) throw new Error(`daemon "${name}" is already supervised`);
    const entry: Entry = {
      dependencies,
      dependents: this.awaiting.get(name) ?? [],
      critical,
      state: "PENDING",
      runningDependencies: 0,
      stopRequested: false,
    };
    this.awaiting.delete(name);
    for (const dependency of dependencies) {
      const target = this.entries.get(dependency);
      if (target) {
        target.dependents.push(name);
        if (target.state === "RUNNING") entry.runningDependencies++;
      } else {
        const list = this.awaiting.get(dependency);
        if (list) list.push(name);
        else this.awaiting.set(dependency, [name]);
      }
    }
    this.entries.set(name, entry);
    this.heights.clear();
    return entry.runningDependencies === dependencies.length;
  }

  /** Records that `name` entered `state`; returns what the supervisor must send because of it. */
  transition(name: string, state: LifecycleState): Directive[] {
    const entry = this.entries.get(name);
    if (!entry || entry.state === state) return [];
    const previous = entry.state;
    entry.state = state;
    if (RESTING_STATES.has(previous) !== RESTING_STATES.has(state)) {
      this.active += RESTING_STATES.has(state) ? -1 : 1;
    }
    const directives: Directive[] = [];
    if (state === "RUNNING") this.dependencyUp(entry, directives);
    else if (previous === "RUNNING") this.dependencyDown(name, entry, directives);
    if (this.shuttingDown) this.continueShutdown(name, entry, directives);
    return directives;
  }

  /** Starts an ordered shutdown: first stop every daemon that no active daemon depends on. */
  beginShutdown(): Directive[] {
    this.shuttingDown = true;
    const directives: Directive[] = [];
    for (const [name, entry] of this.entries) {
      entry.stopRequested = false;
      this.stopIfUnneeded(name, entry, directives);
    }
    return directives;
  }

  endShutdown(): void {
    this.shuttingDown = false;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** No daemon has an instance alive or on its way: all are PENDING, STOPPED or FAILED. */
  get quiescent(): boolean {
    return this.active === 0;
  }

  /**
   * Dependents whose last dependency just came up are told longest chain first: the start of a
   * graph takes its critical path only if the daemons on that path never wait behind the others.
   */
  private dependencyUp(entry: Entry, directives: Directive[]): void {
    const ready: string[] = [];
    for (const dependentName of entry.dependents) {
      const dependent = this.entries.get(dependentName)!;
      dependent.runningDependencies++;
      if (dependent.runningDependencies === dependent.dependencies.length) {
        ready.push(dependentName);
      }
    }
    if (ready.length > 1) ready.sort((a, b) => this.heightOf(b) - this.heightOf(a));
    for (const name of ready) directives.push({ to: name, type: "DEPENDENCIES_READY" });
  }

  /** The number of daemons on the longest chain of dependents that starts at `name`. */
  heightOf(name: string): number {
    const known = this.heights.get(name);
    if (known !== undefined) return known;
    // Iterative post-order: dependency chains can be longer than the call stack.
    const stack: string[] = [name];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (this.heights.has(top)) {
        stack.pop();
        continue;
      }
      const pending = this.dependentsOf(top).filter((d) => !this.heights.has(d));
      if (pending.length > 0) {
        stack.push(...pending);
        continue;
      }
      stack.pop();
      let height = 1;
      for (const dependent of this.dependentsOf(top)) {
        height = Math.max(height, 1 + this.heights.get(dependent)!);
      }
      this.heights.set(top, height);
    }
    return this.heights.get(name)!;
  }

  private dependencyDown(name: string, entry: Entry, directives: Directive[]): void {
    for (const dependentName of entry.dependents) {
      const dependent = this.entries.get(dependentName)!;
      if (dependent.runningDependencies === dependent.dependencies.length) {
        directives.push({ to: dependentName, type: "DEPENDENCY_LOST", dependency: name });
      }
      dependent.runningDependencies--;
    }
  }

  private continueShutdown(name: string, entry: Entry, directives: Directive[]): void {
    if (!RESTING_STATES.has(entry.state) || entry.state === "PENDING") {
      // Something came back to life (a cool-down, a late start): it goes too.
      if (entry.state !== "STOPPING") this.requestStop(name, entry, directives, true);
      return;
    }
    for (const dependency of entry.dependencies) {
      const target = this.entries.get(dependency);
      if (target) this.stopIfUnneeded(dependency, target, directives);
    }
  }

  private stopIfUnneeded(name: string, entry: Entry, directives: Directive[]): void {
    if (entry.stopRequested) return;
    // A RESTARTING daemon serves no one (its dependents left RUNNING when it did), and left
    // alone it would start again in the middle of the shutdown: it goes at once. So does a
    // STOPPING one: the STOP cancels a start it may have been asked for meanwhile.
    const needed =
      entry.state !== "RESTARTING" &&
      entry.state !== "STOPPING" &&
      entry.dependents.some((dependent) => {
        const state = this.entries.get(dependent)!.state;
        return !RESTING_STATES.has(state);
      });
    if (!needed) this.requestStop(name, entry, directives, false);
  }

  private requestStop(name: string, entry: Entry, directives: Directive[], again: boolean): void {
    if (entry.stopRequested && !again) return;
    entry.stopRequested = true;
    // FAILED is told too: that cancels its cool-down, so the shutdown is not undone.
    if (entry.state === "STOPPED") return;
    directives.push({ to: name, type: "STOP" });
  }
}
