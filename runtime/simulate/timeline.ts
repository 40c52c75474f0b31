/**
 * The story of a run for people (`warden simulate` without `--json`): what broke, what warden did
 * about it, and how long each daemon stayed down. Built from the same events as the log: the
 * injected faults (SIMULATED_FAULT) and the lifecycle events, with the restarts of dependents a
 * fault caused folded into one line.
 */
import { STATE_OF_EVENT, type Envelope, type LifecycleEventData } from "../../machines/envelope.ts";
import { isCountedRestart } from "../../machines/restart-reason.ts";
import { formatOffset, formatSpan } from "./sim-duration.ts";

/** The event type the simulator publishes when it injects a fault. */
export const FAULT_EVENT = "SIMULATED_FAULT";

export interface FaultEventData {
  daemon: string;
  kind: string;
  detail: string;
}

interface Entry {
  at: number;
  text: string;
}

/** Faults warden notices only by their symptoms (health checks, heartbeats), after a while. */
const SILENT_FAULTS: ReadonlySet<string> = new Set(["hang", "health", "heartbeat"]);
const SINCE: Readonly<Record<string, string>> = {
  hang: "it hung",
  health: "its health began to fail",
  heartbeat: "its heartbeats stopped",
};

/** Names shown in a folded line before "+N more". */
const FOLDED_NAMES = 4;

/**
 * Collects the story of a run from its events.
 *
 * @example
 * const timeline = new Timeline(start, names.length);
 * manager.events$.subscribe((event) => timeline.observe(event));
 * for (const line of timeline.lines()) console.log(line);
 */
export class Timeline {
  private readonly entries: Entry[] = [];
  /** Daemons in trouble of their own, since when: their return is news. */
  private readonly down = new Map<string, number>();
  private readonly running = new Set<string>();
  private readonly unhealthy = new Set<string>();
  /** Daemons hung, unhealthy or silent since when (offset), until their instance ends. */
  private readonly silent = new Map<string, { at: number; kind: string }>();
  /** The silent fault behind a daemon's current restart, for the line that says it is back. */
  private readonly struck = new Map<string, { at: number; kind: string }>();
  private allRunningSeen = false;
  private shuttingDown = false;
  /** The dependents restarting at one instant, folded into one line. */
  private folded: { at: number; names: string[]; entry: Entry } | undefined;

  constructor(
    private readonly startedAt: number,
    private readonly total: number,
  ) {
    this.entries.push({ at: 0, text: `start   ${total} daemons, in dependency order` });
  }

  observe(event: Envelope): void {
    const at = event.time - this.startedAt;
    if (event.type === FAULT_EVENT) {
      const { daemon, kind, detail } = event.data as FaultEventData;
      // A fault that warden can only notice later: how long it took is news.
      if (SILENT_FAULTS.has(kind) && !this.silent.has(daemon)) {
        this.silent.set(daemon, { at, kind });
      }
      this.add(at, `FAULT   ${daemon}: ${kind} (${detail})`);
      return;
    }
    const state = STATE_OF_EVENT[event.type];
    const data = event.data as LifecycleEventData;
    if (event.type === "DAEMON_HEALTH_CHANGED") {
      // The first check of every start says "healthy": news only after "unhealthy".
      if (data.healthy !== true) this.unhealthy.add(data.daemon);
      else if (!this.unhealthy.delete(data.daemon)) return;
      if (data.healthy === true && this.silent.get(data.daemon)?.kind === "health") {
        this.silent.delete(data.daemon);
      }
      this.add(
        at,
        `health  ${data.daemon} ${data.healthy ? "healthy again" : `unhealthy: ${data.detail ?? ""}`}`,
      );
      return;
    }
    if (state === undefined) return;
    if (state === "RUNNING") this.onRunning(data.daemon, at);
    else this.running.delete(data.daemon);
    if (state === "RESTARTING") this.onRestarting(data, at);
    // The instance the fault struck is gone.
    if (state !== "RUNNING") this.silent.delete(data.daemon);
    if (state === "FAILED") {
      this.down.set(data.daemon, this.down.get(data.daemon) ?? at);
      this.add(
        at,
        `warden  ${data.daemon} -> FAILED (${data.reason}${data.error ? `: ${data.error}` : ""}); it stays FAILED until started`,
      );
    }
    if (state === "STOPPED" && data.forced === true) {
      this.add(at, `warden  ${data.daemon}: stop did not finish in time, forced (killed)`);
    }
    if (state === "STOPPING" && data.reason === "stop" && !this.shuttingDown) {
      this.down.set(data.daemon, this.down.get(data.daemon) ?? at);
      this.add(
        at,
        `warden  ${data.daemon} stopping (stop requested); its dependents wait in RESTARTING`,
      );
    }
  }

  /** `name` is critical and FAILED at `time`: the manager shuts everything down (SPEC §2). */
  escalation(name: string, time: number): void {
    this.shuttingDown = true;
    this.add(
      time - this.startedAt,
      `stop    ${name} is critical: its failure shuts everything down in order (\`warden up\` exits 1, for its own supervisor to restart it)`,
    );
  }

  /** The ordered shutdown begins at `now` (clock time). */
  shutdown(now: number): void {
    this.shuttingDown = true;
    this.add(
      now - this.startedAt,
      `stop    shutdown: every daemon, dependents before their dependencies`,
    );
  }

  /** The shutdown ended at `now`. */
  stopped(now: number): void {
    this.add(now - this.startedAt, `stop    everything stopped`);
  }

  /**
   * The timeline's lines, at most `limit` of them: when there are more, the first and the last
   * halves, with a line saying how many were left out between.
   */
  lines(limit = 300): string[] {
    const line = (e: Entry) => `${formatOffset(e.at).padEnd(15)} ${e.text}`;
    if (this.entries.length <= limit) return this.entries.map(line);
    const head = Math.ceil(limit / 2);
    const tail = limit - head;
    return [
      ...this.entries.slice(0, head).map(line),
      `… ${this.entries.length - limit} more (the full story is in the --events log) …`,
      ...this.entries.slice(-tail).map(line),
    ];
  }

  private onRunning(name: string, at: number): void {
    this.running.add(name);
    const since = this.down.get(name);
    if (since !== undefined) {
      this.down.delete(name);
      const fault = this.struck.get(name);
      this.struck.delete(name);
      const all = fault ? `, ${formatSpan(at - fault.at)} since ${SINCE[fault.kind]}` : "";
      this.add(at, `back    ${name} RUNNING again after ${formatSpan(at - since)} down${all}`);
    }
    if (!this.allRunningSeen && this.running.size === this.total) {
      this.allRunningSeen = true;
      this.add(at, `up      all ${this.total} daemons RUNNING`);
    }
  }

  private onRestarting(data: LifecycleEventData, at: number): void {
    if (data.reason === "dependency") {
      if (this.folded?.at === at) {
        this.folded.names.push(data.daemon);
        this.folded.entry.text = foldedText(this.folded.names);
      } else {
        const entry = { at, text: foldedText([data.daemon]) };
        this.entries.push(entry);
        this.folded = { at, names: [data.daemon], entry };
      }
      return;
    }
    if (!isCountedRestart(data.reason) && data.reason !== "manual") return;
    this.down.set(data.daemon, this.down.get(data.daemon) ?? at);
    const error = data.error ? `: ${data.error}` : "";
    const fault = this.silent.get(data.daemon);
    const symptom = data.reason === "health" || data.reason === "heartbeat";
    if (fault !== undefined && symptom) this.struck.set(data.daemon, fault);
    const noticed =
      fault === undefined || !symptom
        ? ""
        : `, ${formatSpan(at - fault.at)} after ${SINCE[fault.kind] ?? "the fault"}`;
    this.add(
      at,
      `warden  ${data.daemon} -> RESTARTING (${data.reason}${error}; attempt ${data.attempt}, backoff ${formatSpan(data.delayMs ?? 0)}${noticed})`,
    );
  }

  private add(at: number, text: string): void {
    this.entries.push({ at, text });
  }
}

function foldedText(names: readonly string[]): string {
  const shown = names.slice(0, FOLDED_NAMES).join(", ");
  const more = names.length > FOLDED_NAMES ? ` +${names.length - FOLDED_NAMES} more` : "";
  const what = names.length === 1 ? "dependent" : "dependents";
  return `warden  ${names.length} ${what} -> RESTARTING until it is back: ${shown}${more}`;
}
