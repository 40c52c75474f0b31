/**
 * The invariants checked on each event as it is published (invariants.ts): intensity, backoff,
 * the rules for FAILED, the order of a shutdown, and that no event is lost.
 */
import { backoffCap } from "../../machines/backoff.ts";
import type { DaemonPolicy } from "../../machines/daemon-policy.ts";
import { STATE_OF_EVENT, type Envelope, type LifecycleEventData } from "../../machines/envelope.ts";
import type { LifecycleState } from "../../machines/lifecycle-states.ts";
import { isCountedRestart } from "../../machines/restart-reason.ts";
import type { InvariantLog, InvariantName } from "./invariants.ts";

/** What the rules need to know of one daemon. */
export interface RuleDaemon {
  name: string;
  policy: DaemonPolicy;
  dependents: readonly string[];
}

/** What the rules remember of one daemon, from its events. */
interface Track {
  state: LifecycleState;
  since: number;
  /** Counted restarts since the counter last reset (a start from STOPPED or FAILED). */
  restartTimes: number[];
  attempt: number;
  /** It ran `resetAfterMs` without a break since its latest counted restart: the attempt resets. */
  ranLong: boolean;
  /** RUNNING exactly `resetAfterMs`: either attempt is right (the timer and the crash tie). */
  ranExactly: boolean;
  /** The latest restart's time and delay: its next start comes no sooner. */
  restartAt: number;
  delayMs: number;
}

export interface EventRulesOptions {
  daemons: readonly RuleDaemon[];
  log: InvariantLog;
  startedAt: number;
  /** True once the ordered shutdown has begun. */
  shuttingDown(): boolean;
  stateOf(name: string): LifecycleState;
}

const STOPPED_DEPENDENT: ReadonlySet<LifecycleState> = new Set(["STOPPED", "FAILED", "PENDING"]);

/**
 * Checks the event rules on each event, into an InvariantLog.
 *
 * @example
 * const rules = new EventRules({ daemons, log, startedAt, shuttingDown: () => false, stateOf });
 * manager.events$.subscribe((event) => rules.observe(event));
 */
export class EventRules {
  private readonly daemons: Map<string, RuleDaemon>;
  private readonly tracks = new Map<string, Track>();
  private lastSeq: number | undefined;

  constructor(private readonly options: EventRulesOptions) {
    this.daemons = new Map(options.daemons.map((daemon) => [daemon.name, daemon]));
    for (const { name } of options.daemons) {
      this.tracks.set(name, {
        state: "PENDING",
        since: options.startedAt,
        restartTimes: [],
        attempt: 0,
        ranLong: false,
        ranExactly: false,
        restartAt: 0,
        delayMs: 0,
      });
    }
  }

  /** The state each daemon's events last announced. */
  announced(name: string): LifecycleState | undefined {
    return this.tracks.get(name)?.state;
  }

  observe(event: Envelope): void {
    this.checkSequence(event);
    const state = STATE_OF_EVENT[event.type];
    if (state === undefined) return;
    const data = event.data as LifecycleEventData;
    const daemon = this.daemons.get(data.daemon);
    const track = this.tracks.get(data.daemon);
    if (!daemon || !track) return;
    const at = event.time;
    this.checkChain(daemon.name, track, data, state, at);
    if (track.state === "RUNNING") this.noteRun(daemon.policy, track, at);
    if (state === "STARTING") this.onStarting(daemon.name, track, data, at);
    if (state === "RESTARTING") this.onRestarting(daemon, track, data, at);
    if (state === "FAILED") this.onFailed(daemon, track, data, at);
    if (state === "STOPPING" && this.options.shuttingDown()) this.onShutdownStop(daemon, at);
    track.state = state;
    track.since = at;
  }

  private violation(
    invariant: InvariantName,
    ok: boolean,
    at: number,
    daemon: string,
    message: () => string,
  ): void {
    this.options.log.check(ok, () => ({
      invariant,
      at: at - this.options.startedAt,
      daemon,
      message: message(),
    }));
  }

  private checkSequence(event: Envelope): void {
    const seq = parseInt(event.id.slice(event.id.lastIndexOf("-") + 1), 36);
    const expected = this.lastSeq === undefined ? seq : this.lastSeq + 1;
    this.lastSeq = seq;
    this.options.log.check(seq === expected, () => ({
      invariant: "no-event-lost",
      at: event.time - this.options.startedAt,
      message: `event ${event.id} (${event.type}) follows event number ${expected - 1}: ${seq - expected} missing`,
    }));
  }

  private checkChain(
    name: string,
    track: Track,
    data: LifecycleEventData,
    state: LifecycleState,
    at: number,
  ): void {
    const silentPending =
      data.from === "PENDING" && (track.state === "STOPPED" || track.state === "FAILED");
    this.violation(
      "no-event-lost",
      data.from === track.state || silentPending,
      at,
      name,
      () =>
        `${name} entered ${state} from ${data.from}, but its previous event announced ${track.state}`,
    );
  }

  /** Leaving RUNNING: a run of `resetAfterMs` or more resets the backoff attempt. */
  private noteRun(policy: DaemonPolicy, track: Track, at: number): void {
    const ran = at - track.since;
    if (ran > policy.resetAfterMs) track.ranLong = true;
    else if (ran === policy.resetAfterMs) track.ranExactly = true;
  }

  private onStarting(name: string, track: Track, data: LifecycleEventData, at: number): void {
    if (data.from === "PENDING") {
      // A start from rest (requestStart): the intensity window and the attempt reset.
      track.restartTimes = [];
      track.attempt = 0;
      track.ranLong = false;
      track.ranExactly = false;
      return;
    }
    if (data.from !== "RESTARTING") return;
    this.violation(
      "backoff-bounds",
      at - track.restartAt >= track.delayMs,
      at,
      name,
      () =>
        `${name} started again ${at - track.restartAt} ms after its restart, before its ${track.delayMs} ms backoff`,
    );
  }

  private onRestarting(
    daemon: RuleDaemon,
    track: Track,
    data: LifecycleEventData,
    at: number,
  ): void {
    const { name, policy } = daemon;
    track.restartAt = at;
    track.delayMs = data.delayMs ?? 0;
    if (!isCountedRestart(data.reason)) {
      this.violation(
        "backoff-bounds",
        track.delayMs === 0,
        at,
        name,
        () =>
          `${name} restarted for "${data.reason}" (not counted) with a ${track.delayMs} ms backoff`,
      );
      return;
    }
    const expected = track.ranLong ? 1 : track.attempt + 1;
    const attempt = data.attempt ?? 0;
    const attemptOk =
      attempt === expected ||
      (track.ranExactly && (attempt === 1 || attempt === track.attempt + 1));
    const cap = backoffCap(attempt, policy.backoff);
    this.violation(
      "backoff-bounds",
      attemptOk && track.delayMs >= 0 && track.delayMs <= cap,
      at,
      name,
      () =>
        attemptOk
          ? `${name}'s restart ${attempt} waits ${track.delayMs} ms, outside [0, ${cap}]`
          : `${name}'s restart is attempt ${attempt}; the counter says ${expected}`,
    );
    track.attempt = attempt;
    track.ranLong = false;
    track.ranExactly = false;
    track.restartTimes = [...track.restartTimes.filter((time) => at - time < policy.withinMs), at];
    this.violation(
      "restart-intensity",
      track.restartTimes.length <= policy.maxRestarts,
      at,
      name,
      () =>
        `${name} restarted ${track.restartTimes.length} times within ${policy.withinMs} ms; maxRestarts is ${policy.maxRestarts}`,
    );
  }

  private onFailed(daemon: RuleDaemon, track: Track, data: LifecycleEventData, at: number): void {
    const { name, policy } = daemon;
    const recent = track.restartTimes.filter((time) => at - time < policy.withinMs).length;
    const fromOk = data.from === "STARTING" || data.from === "RUNNING";
    const byRule =
      data.reason === "policy"
        ? policy.restart === "never"
        : data.reason === "intensity" && policy.restart !== "never" && recent >= policy.maxRestarts;
    this.violation("failed-by-rules", fromOk && byRule, at, name, () =>
      !fromOk
        ? `${name} became FAILED from ${data.from}`
        : `${name} became FAILED (reason "${data.reason}") after ${recent} counted restarts within ${policy.withinMs} ms; ` +
          `the limit is ${policy.maxRestarts}, restart policy "${policy.restart}"`,
    );
  }

  private onShutdownStop(daemon: RuleDaemon, at: number): void {
    for (const dependent of daemon.dependents) {
      const state = this.options.stateOf(dependent);
      this.violation(
        "stop-order",
        STOPPED_DEPENDENT.has(state),
        at,
        daemon.name,
        () => `${daemon.name} began to stop while its dependent ${dependent} was ${state}`,
      );
    }
  }
}
