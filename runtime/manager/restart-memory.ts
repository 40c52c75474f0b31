/**
 * A DaemonManager's memory of restarts across its own restarts (SPEC §2, §13): the records of
 * `<stateDir>/restart-state.json` (runtime/state/restart-state-file.ts) read when the manager is
 * made, handed to each daemon's lifecycle actor when the daemon is supervised
 * (machines/restart-record.ts says how), kept up to date from the daemons' transitions and
 * written back when one changes — on counted restarts and failures, which are rare, not on
 * every transition of a healthy daemon.
 *
 * A daemon that goes back to FAILED is "held": a plain start (startAll, startMany, `warden up`)
 * leaves it FAILED, and only a start or restart of that daemon by name, or its cool-down, brings
 * it back.
 */
import { join } from "node:path";
import type { WardenClock } from "../../actors/clock.ts";
import type { DaemonPolicy } from "../../machines/daemon-policy.ts";
import { messageOf } from "../../machines/errors.ts";
import type { LifecycleContext } from "../../machines/lifecycle-context.ts";
import type { LifecycleState } from "../../machines/lifecycle-states.ts";
import {
  recordOf,
  resumption,
  sameRecord,
  type FailedRecord,
  type RestartRecord,
  type Resumption,
} from "../../machines/restart-record.ts";
import type { Logger } from "../logger.ts";
import {
  RESTART_STATE_FILE,
  readRestartState,
  writeRestartState,
} from "../state/restart-state-file.ts";

export interface RestartMemoryOptions {
  stateDir: string;
  clock: WardenClock;
  logger: Logger;
  /** Whether the manager has a daemon of that name: only those are remembered on close. */
  knows(name: string): boolean;
}

export class RestartMemory {
  private readonly records: Map<string, RestartRecord>;
  /** Daemons back in FAILED from before the manager restarted, that nobody has acted on yet. */
  private readonly held = new Set<string>();
  private writeQueued = false;
  private dirty = false;
  /** A write failed and was reported; the next failure is not, until a write succeeds. */
  private failing = false;

  constructor(private readonly options: RestartMemoryOptions) {
    const { records, problem } = readRestartState(options.stateDir);
    this.records = records;
    if (problem !== undefined) {
      options.logger.warn(
        { file: this.file },
        `${RESTART_STATE_FILE}: ${problem}; ${records.size === 0 ? "every daemon starts" : "those daemons start"} with fresh restart counters`,
      );
    }
  }

  private get file(): string {
    return join(this.options.stateDir, RESTART_STATE_FILE);
  }

  /**
   * Where `name` resumes now that it is handed to the supervisor (machines/restart-record.ts);
   * `explicitStart` when it is being started by name. A daemon that goes back to FAILED is held.
   */
  resume(name: string, policy: DaemonPolicy, explicitStart: boolean): Resumption {
    const resumed = resumption(
      this.records.get(name),
      policy,
      this.options.clock.now(),
      explicitStart,
    );
    if (resumed.failed) this.held.add(name);
    return resumed;
  }

  /** True while `name` is FAILED from before the manager restarted and nobody acted on it. */
  isHeld(name: string): boolean {
    return this.held.has(name);
  }

  /** The failure `name` is held for. */
  failureOf(name: string): FailedRecord | undefined {
    return this.held.has(name) ? this.records.get(name)?.failed : undefined;
  }

  /** `name` is being started by name: a plain start no longer leaves it FAILED. */
  release(name: string): void {
    this.held.delete(name);
  }

  /**
   * After each transition of `name`: one that leaves FAILED is no longer held, and what its
   * lifecycle actor's `context` (undefined once the actor is gone) amounts to now is remembered;
   * a change is written soon, with whatever else changed meanwhile.
   */
  note(
    name: string,
    transition: { from: LifecycleState; state: LifecycleState },
    context: LifecycleContext | undefined,
  ): void {
    const { from, state } = transition;
    if (from === "FAILED" && state !== "FAILED") this.held.delete(name);
    // PENDING announced on registration: the record was just handed over, nothing happened yet.
    if (context === undefined || from === state) return;
    const previous = this.records.get(name);
    // The common case, a daemon with nothing to remember, costs a few comparisons.
    const nothing = context.attempt === 0 && context.restartTimes.length === 0;
    if (previous === undefined && state !== "FAILED" && nothing) return;
    const next = recordOf(state, context, this.options.clock.now(), previous);
    if (sameRecord(previous, next)) return;
    if (next) this.records.set(name, next);
    else this.records.delete(name);
    this.queueWrite();
  }

  /** Writes now what changed, and forgets daemons the manager does not know. For close(). */
  flush(): void {
    for (const name of this.records.keys()) {
      if (!this.options.knows(name)) {
        this.records.delete(name);
        this.dirty = true;
      }
    }
    this.write();
  }

  /** Several changes in one burst (a shutdown, a dependency chain restarting) make one write. */
  private queueWrite(): void {
    this.dirty = true;
    if (this.writeQueued) return;
    this.writeQueued = true;
    queueMicrotask(() => {
      this.writeQueued = false;
      this.write();
    });
  }

  private write(): void {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      writeRestartState(this.options.stateDir, this.records);
      this.failing = false;
    } catch (error) {
      // Kept in memory and written with the next change; a manager restart meanwhile would
      // start these daemons with fresh counters.
      this.dirty = true;
      if (this.failing) return;
      this.failing = true;
      this.options.logger.warn(
        { file: this.file, err: messageOf(error) },
        `cannot write ${RESTART_STATE_FILE}: restart counters will not survive a manager restart`,
      );
    }
  }
}
