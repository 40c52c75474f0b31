/**
 * Every process of a process daemon's instance, stopped as one (SPEC §4, §13): its process group
 * and the descendants that left it (actors/process-descendants.ts). `terminate` sends SIGTERM to
 * the group and to each escaped process, followed by SIGCONT (a stopped process acts on SIGTERM
 * only once it is continued, as systemd does); `kill` sends SIGKILL. It keeps no deadline of its
 * own: whoever stops it decides when SIGTERM has had long enough (the lifecycle chart's stop
 * timeout, the orphan reaper's grace). What still runs KILL_SETTLE_MS after `kill` is given up
 * on and named, so that a stop always ends. All waiting is on the injected clock. Where the
 * daemon has a cgroup (actors/daemon-cgroup.ts) its member list is the authority: every process
 * in it is signalled and waited for, and no environment scan is needed to know it is all gone.
 */
import { messageOf } from "../machines/errors.ts";
import { systemClock, type WardenClock } from "./clock.ts";
import { findEscaped, runningOf, signalProcess, type ProcessRef } from "./process-descendants.ts";
import {
  groupRunning,
  isZombie,
  procAvailable,
  readStat,
  scanProcesses,
  signalGroup,
} from "./process-groups.ts";

/** How long SIGKILLed processes get to disappear before they are given up on and reported. */
export const KILL_SETTLE_MS = 2000;

const POLL_MS = 20;
/** While escaped processes run, the environments are scanned for new ones this often. */
const RESCAN_MS = 250;
/** Between the empty marker scan and the one that confirms it. */
const CONFIRM_MS = 1;

export interface ProcessFamilyOptions {
  /** The group the instance leads; undefined when it is not (or no longer) ours to signal. */
  pgid: number | undefined;
  /** The WARDEN_INSTANCE marker its processes inherited; undefined for older records. */
  instanceId: string | undefined;
  /** The leader's start time: nothing that started earlier descends from it. */
  startedSince?: string;
  /** Told about each signal that could not be sent (once), and about what outlived SIGKILL. */
  onProblem(message: string): void;
  /** Whether the group still has a running member (default: groupRunning). */
  groupRunning?(pgid: number): boolean;
  clock?: WardenClock;
  /** The daemon's cgroup, where it has one: every process in it belongs to the family. */
  cgroup?: { pids(): number[] };
}

export class ProcessFamily {
  /** SIGKILL was sent: the stop was forced. */
  killed = false;
  /** The escaped processes that still ran when last looked at. */
  private escaped: ProcessRef[] = [];
  /** Every escaped process found, by pid. */
  private readonly found = new Set<number>();
  /** When `kill` was first called: what runs KILL_SETTLE_MS later is given up on. */
  private killedAt: number | undefined;
  /** Gone, or given up on: the group id may be someone else's now, never signal it again. */
  private over = false;
  /** Signals that failed, told once each (SIGKILL is repeated at every poll). */
  private readonly told = new Set<string>();
  private readonly clock: WardenClock;
  /** When the family was made (`performance.now()`): a /proc scan older than that predates it. */
  private readonly madeAt = performance.now();

  constructor(private readonly options: ProcessFamilyOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** Every escaped process found so far, gone or not, by pid. */
  get escapedPids(): number[] {
    return [...this.found].sort((a, b) => a - b);
  }

  /**
   * Adds what left the group: marked processes, and the live tree below the group's members
   * (which a member's exit would orphan). Call before signalling the group.
   */
  discover(): void {
    if (this.over) return;
    const { pgid, instanceId, startedSince } = this.options;
    // A scan shared with the stops of the same few milliseconds, if it was taken after this
    // family was made (an older one may predate its processes); what leaves the group later is
    // found by the marker scans of `gone`.
    this.add(findEscaped({ pgid, instanceId, startedSince, freshSince: this.madeAt }));
    this.addCgroupMembers();
  }

  /** SIGTERM, then SIGCONT, to the group and to every escaped process. */
  terminate(): void {
    this.discover();
    this.signal("SIGTERM");
    this.signal("SIGCONT");
  }

  /** SIGKILL to the group and to every escaped process, now; `gone` keeps sending it. */
  kill(): void {
    this.killedAt ??= this.clock.now();
    this.discover();
    this.signal("SIGKILL");
  }

  /** Whether anything of it still runs (as far as it was discovered). */
  running(): boolean {
    const { pgid } = this.options;
    this.addCgroupMembers();
    this.escaped = runningOf(this.escaped);
    return this.escaped.length > 0 || (pgid !== undefined && this.groupUp(pgid));
  }

  /**
   * Resolves once the group is empty and no process carrying the marker runs: the marker is
   * looked for once the group has emptied, and again every RESCAN_MS while escaped processes
   * run (new ones get SIGTERM and SIGCONT, or SIGKILL once `kill` was called). After `kill`,
   * everything left gets SIGKILL at every poll; what still runs KILL_SETTLE_MS later is given up
   * on and reported: then it resolves false. Polls on the clock every POLL_MS.
   */
  async gone(): Promise<boolean> {
    const { pgid, instanceId, startedSince } = this.options;
    const clock = this.clock;
    let scannedAt = -Infinity;
    // Two empty scans in a row, CONFIRM_MS apart: a process caught in the middle of an exec can
    // be unreadable for one look.
    let emptyScans = 0;
    for (;;) {
      const now = clock.now();
      const killedAt = this.killedAt;
      const groupUp = pgid !== undefined && !this.over && this.groupUp(pgid);
      const joined = this.addCgroupMembers();
      this.escaped = runningOf(this.escaped);
      if (this.options.cgroup) {
        // The cgroup knows every process of the daemon: no environment scan is needed.
        if (!groupUp && this.escaped.length === 0) break;
        this.signalEach(joined, killedAt !== undefined ? "SIGKILL" : "SIGTERM");
        if (killedAt === undefined) this.signalEach(joined, "SIGCONT");
      } else if (!groupUp && (this.escaped.length === 0 || now - scannedAt >= RESCAN_MS)) {
        scannedAt = now;
        // Markers only: once the group is empty its id may be given to someone else.
        const found = this.add(findEscaped({ instanceId, startedSince, fresh: true }));
        emptyScans = found.length === 0 && this.escaped.length === 0 ? emptyScans + 1 : 0;
        if (emptyScans >= 2 || (emptyScans === 1 && instanceId === undefined)) break;
        if (killedAt !== undefined) this.signalEach(found, "SIGKILL");
        else for (const signal of ["SIGTERM", "SIGCONT"] as const) this.signalEach(found, signal);
      }
      if (killedAt !== undefined) this.signal("SIGKILL");
      if (killedAt !== undefined && now >= killedAt + KILL_SETTLE_MS) {
        this.over = true;
        this.options.onProblem(
          `${this.describeLeft(groupUp)} still running ${KILL_SETTLE_MS} ms after SIGKILL; giving up`,
        );
        return false;
      }
      // The confirming scan follows at once: an exec takes microseconds, not a poll.
      const pause = emptyScans === 1 ? CONFIRM_MS : POLL_MS;
      await new Promise((resolve) => clock.setTimeout(resolve, pause));
    }
    this.over = true;
    return true;
  }

  /** Sends `signal` to the group and every escaped process; a failure is reported, not thrown. */
  private signal(signal: NodeJS.Signals): void {
    if (this.over) return;
    const { pgid } = this.options;
    if (pgid !== undefined) {
      try {
        signalGroup(pgid, signal);
      } catch (error) {
        this.tell(`cannot send ${signal} to process group ${pgid}: ${messageOf(error)}`);
      }
    }
    this.signalEach(this.escaped, signal);
  }

  private signalEach(refs: readonly ProcessRef[], signal: NodeJS.Signals): void {
    if (this.over) return;
    if (signal === "SIGKILL") this.killed = true;
    for (const ref of refs) {
      try {
        signalProcess(ref, signal);
      } catch (error) {
        const group = this.options.pgid ?? "?";
        this.tell(
          `cannot send ${signal} to process ${ref.pid} (it left process group ${group}): ${messageOf(error)}`,
        );
      }
    }
  }

  /** Adds the live members of the cgroup not known yet, and returns them. */
  private addCgroupMembers(): ProcessRef[] {
    const cgroup = this.options.cgroup;
    if (!cgroup || this.over) return [];
    const refs: ProcessRef[] = [];
    for (const pid of cgroup.pids()) {
      const stat = readStat(pid);
      if (stat && !isZombie(stat) && stat.pgrp !== this.options.pgid) {
        refs.push({ pid, startTime: stat.startTime });
      }
    }
    return this.add(refs);
  }

  /** Adds the processes of `refs` not known yet, and returns them. */
  private add(refs: readonly ProcessRef[]): ProcessRef[] {
    const known = new Set(this.escaped.map((entry) => `${entry.pid}:${entry.startTime}`));
    const added = refs.filter((entry) => !known.has(`${entry.pid}:${entry.startTime}`));
    this.escaped.push(...added);
    for (const entry of added) this.found.add(entry.pid);
    return added;
  }

  private tell(message: string): void {
    if (this.told.has(message)) return;
    this.told.add(message);
    this.options.onProblem(message);
  }

  private groupUp(pgid: number): boolean {
    return (this.options.groupRunning ?? groupRunning)(pgid);
  }

  /** "process group 7 (7, 9) and processes 12, 15": what is left, by pid. */
  private describeLeft(groupUp: boolean): string {
    const { pgid } = this.options;
    const parts: string[] = [];
    if (groupUp && pgid !== undefined) {
      const members = procAvailable()
        ? scanProcesses().filter((entry) => entry.pgrp === pgid && !isZombie(entry))
        : [];
      const pids = members.map((entry) => entry.pid).join(", ");
      parts.push(`process group ${pgid}${pids === "" ? "" : ` (${pids})`}`);
    }
    if (this.escaped.length > 0) {
      parts.push(`processes ${this.escaped.map((entry) => entry.pid).join(", ")}`);
    }
    return parts.join(" and ");
  }
}

/**
 * Stops a family that no lifecycle chart looks after (what an earlier manager left, see
 * actors/reap-orphans.ts): SIGTERM now, SIGKILL `graceMs` later if anything is left, on `clock`;
 * resolves as `gone` does.
 *
 * @example
 * const cleared = await stopWithin(family, 2_000, clock);
 */
export async function stopWithin(
  family: ProcessFamily,
  graceMs: number,
  clock: WardenClock,
): Promise<boolean> {
  family.terminate();
  const deadline = clock.setTimeout(() => family.kill(), graceMs);
  try {
    return await family.gone();
  } finally {
    clock.clearTimeout(deadline);
  }
}
