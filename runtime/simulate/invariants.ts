/**
 * The supervision invariants a simulation checks (SPEC §12), each by name. Event rules are
 * checked as each event is published (event-rules.ts); state rules after every step in which a
 * daemon changed state, on the actors' own snapshots (state-rules.ts); the shutdown rules once
 * everything has stopped. The first violation of each run is what `warden simulate` reports.
 */

/** Every invariant, by the name reports use. */
export const INVARIANTS = {
  "dependencies-running":
    "no daemon is STARTING or RUNNING while a dependency is not RUNNING (once the supervisor has reacted)",
  "restart-intensity": "no more than maxRestarts counted restarts within withinMs",
  "backoff-bounds":
    "a restart's delay is within [0, backoff cap of its attempt], its attempt follows the counter, and it starts no sooner",
  "stop-order": "at shutdown, a daemon stops only after its dependents have stopped",
  "final-after-shutdown": "after shutdown every daemon is STOPPED or FAILED",
  "no-event-lost":
    "event ids are consecutive, each lifecycle event leaves the state the previous one entered, and the last one is the actor's state",
  "resources-within-capacity":
    "no resource unit is held twice or beyond capacity, and a daemon STARTING or RUNNING holds what it requires",
  "no-conflicting-daemons":
    "two conflicting daemons are never STARTING, RUNNING or STOPPING at once",
  "failed-by-rules":
    "FAILED is reached only from STARTING or RUNNING, by the restart policy (never) or the intensity limit",
} as const;

export type InvariantName = keyof typeof INVARIANTS;

/** One violation: which invariant, when (simulated ms from the start), of which daemon, and how. */
export interface Violation {
  invariant: InvariantName;
  /** Simulated milliseconds since the run started. */
  at: number;
  daemon?: string;
  message: string;
}

/**
 * Where violations go, and how many checks were made.
 *
 * @example
 * const log = new InvariantLog();
 * log.check(state === "RUNNING", () => ({ invariant: "dependencies-running", at, message }));
 * log.first; // the first violation, if any
 */
export class InvariantLog {
  readonly violations: Violation[] = [];
  /** Checks made, one per invariant evaluated for one daemon or event. */
  checked = 0;
  /** The most violations kept (the first is the one that matters; a broken chart makes many). */
  constructor(private readonly limit = 100) {}

  /** Counts a check; records a violation when `ok` is false. */
  check(ok: boolean, violation: () => Violation): boolean {
    this.checked++;
    if (!ok && this.violations.length < this.limit) this.violations.push(violation());
    return ok;
  }

  get first(): Violation | undefined {
    return this.violations[0];
  }
}
