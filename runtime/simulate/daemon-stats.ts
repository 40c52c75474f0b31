/**
 * What a run did to each daemon, from its lifecycle events: time in each state, restarts (all,
 * and those it caused itself), failures, and how long it was down — not RUNNING, from its first
 * start until the shutdown began.
 */
import { STATE_OF_EVENT, type Envelope, type LifecycleEventData } from "../../machines/envelope.ts";
import { LIFECYCLE_STATES, type LifecycleState } from "../../machines/lifecycle-states.ts";
import { isCountedRestart } from "../../machines/restart-reason.ts";

export interface DaemonStats {
  /** Simulated ms in each state, from the start of the run to its end. */
  states: Record<LifecycleState, number>;
  restarts: number;
  /** Restarts it caused (crash, health, heartbeat, failed start...): counted against its intensity. */
  countedRestarts: number;
  failures: number;
  /** Stops that had to be forced. */
  forcedStops: number;
  /** Simulated ms not RUNNING between its first start and the shutdown. */
  downMs: number;
  /** Stretches of downtime, for "longest outage". */
  longestDownMs: number;
}

interface Track {
  state: LifecycleState;
  since: number;
  everRan: boolean;
  downSince: number | undefined;
}

/**
 * Keeps each daemon's stats from the events of a run.
 *
 * @example
 * const stats = new StatsBook(["db", "api"], start);
 * manager.events$.subscribe((event) => stats.observe(event));
 * stats.finish(end).get("db")?.downMs;
 */
export class StatsBook {
  private readonly stats = new Map<string, DaemonStats>();
  private readonly tracks = new Map<string, Track>();
  private shutdownAt: number | undefined;

  constructor(
    names: readonly string[],
    private readonly startedAt: number,
  ) {
    for (const name of names) {
      const states = Object.fromEntries(LIFECYCLE_STATES.map((s) => [s, 0])) as Record<
        LifecycleState,
        number
      >;
      this.stats.set(name, {
        states,
        restarts: 0,
        countedRestarts: 0,
        failures: 0,
        forcedStops: 0,
        downMs: 0,
        longestDownMs: 0,
      });
      this.tracks.set(name, {
        state: "PENDING",
        since: startedAt,
        everRan: false,
        downSince: undefined,
      });
    }
  }

  observe(event: Envelope): void {
    const state = STATE_OF_EVENT[event.type];
    if (state === undefined) return;
    const data = event.data as LifecycleEventData;
    const stats = this.stats.get(data.daemon);
    const track = this.tracks.get(data.daemon);
    if (!stats || !track) return;
    stats.states[track.state] += event.time - track.since;
    track.state = state;
    track.since = event.time;
    if (state === "RESTARTING") {
      stats.restarts++;
      if (isCountedRestart(data.reason)) stats.countedRestarts++;
    }
    if (state === "FAILED") stats.failures++;
    if (state === "STOPPED" && data.forced === true) stats.forcedStops++;
    if (state === "RUNNING") {
      track.everRan = true;
      if (track.downSince !== undefined) this.endDown(stats, track, event.time);
    } else if (track.everRan && track.downSince === undefined && this.shutdownAt === undefined) {
      track.downSince = event.time;
    }
  }

  /** The ordered shutdown begins: downtime stops counting. */
  shutdown(now: number): void {
    this.shutdownAt = now;
    for (const [name, track] of this.tracks) {
      if (track.downSince !== undefined) this.endDown(this.stats.get(name)!, track, now);
    }
  }

  /** The stats at `now`, the end of the run: the current states' time counted up to it. */
  finish(now: number): Map<string, DaemonStats> {
    for (const [name, track] of this.tracks) {
      const stats = this.stats.get(name)!;
      stats.states[track.state] += now - track.since;
      track.since = now;
      if (track.downSince !== undefined) this.endDown(stats, track, now);
    }
    return this.stats;
  }

  /** Time since the run started. */
  offset(time: number): number {
    return time - this.startedAt;
  }

  private endDown(stats: DaemonStats, track: Track, now: number): void {
    const down = now - track.downSince!;
    stats.downMs += down;
    stats.longestDownMs = Math.max(stats.longestDownMs, down);
    track.downSince = undefined;
  }
}
