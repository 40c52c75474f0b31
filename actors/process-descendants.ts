/**
 * What a process daemon left outside its process group (SPEC §13). A grandchild that called
 * `setsid()` (the double fork of legacy daemons) sits in a group and session of its own, and once
 * its parent has exited init adopts it: neither the group nor a walk of the process tree finds it
 * any more. So every instance is spawned with a random id in WARDEN_INSTANCE, which its
 * descendants inherit, and they are found by it in /proc/<pid>/environ (as Jenkins'
 * ProcessTreeKiller finds a build's processes by BUILD_ID). Descendants that scrubbed their
 * environment are found through the live tree (parent pids) while their parent still lives.
 *
 * Only processes of the same user (or all, for root) show their environment; a process that
 * ends while it is read is simply not found. Without /proc (macOS) nothing is found, and a stop
 * reaches the process group alone.
 */
import { randomBytes } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import {
  errorCode,
  isZombie,
  procAvailable,
  readStat,
  scanProcesses,
  type ProcStat,
} from "./process-groups.ts";

/** The variable that marks every process of an instance: `WARDEN_INSTANCE=<id>`. */
export const INSTANCE_ENV = "WARDEN_INSTANCE";

/** A process as seen once: its start time tells it from a later process given the same pid. */
export interface ProcessRef {
  pid: number;
  startTime: string;
}

export interface EscapedQuery {
  /** The instance's process group: the live tree below its members counts too. */
  pgid?: number;
  /** The instance's marker: every process that carries it counts, wherever it is. */
  instanceId?: string;
  /** Start time (as processStartTime gives it) of the leader: nothing older descends from it. */
  startedSince?: string;
  /** A new scan of /proc, not one shared with calls of the last few milliseconds. */
  fresh?: boolean;
  /**
   * A scan shared with calls of the last few milliseconds only if it was taken after this
   * moment (`performance.now()`): when the family was made. A stop of every daemon at once then
   * costs one scan, not one per daemon (45 process daemons: ≈ 0.6 s of reading /proc before).
   */
  freshSince?: number;
}

/** Environments are a few KiB; a bigger one is read this far and no further. */
const MAX_ENVIRON_BYTES = 512 * 1024;
const CHUNK_BYTES = 64 * 1024;
/** A scan is shared by the calls of a burst (every daemon of a stopAll, an exit handler). */
const SHARED_SCAN_MS = 10;
const INSTANCE_ID = /^[A-Za-z0-9_-]{16,128}$/;
const MARKER = Buffer.from(`${INSTANCE_ENV}=`);

/**
 * A new id for an instance: 128 random bits, so that no process carries it by chance.
 *
 * @example
 * spawn(command, args, { env: { ...process.env, [INSTANCE_ENV]: newInstanceId() } });
 */
export function newInstanceId(): string {
  return randomBytes(16).toString("hex");
}

/** Whether `value` can be an instance id (what a process record may carry). */
export function isInstanceId(value: unknown): value is string {
  return typeof value === "string" && INSTANCE_ID.test(value);
}

/**
 * The value of WARDEN_INSTANCE in an environment block (`NAME=value\0…`, as /proc shows it), or
 * undefined. A block cut off by the read limit (`complete` false) is not trusted past its end.
 *
 * @example
 * instanceMarkerIn(Buffer.from("A=1\0WARDEN_INSTANCE=abc\0"), true); // "abc"
 */
export function instanceMarkerIn(environ: Buffer, complete: boolean): string | undefined {
  for (let at = environ.indexOf(MARKER); at !== -1; at = environ.indexOf(MARKER, at + 1)) {
    if (at > 0 && environ[at - 1] !== 0) continue;
    const start = at + MARKER.length;
    const end = environ.indexOf(0, start);
    if (end === -1 && !complete) return undefined;
    return environ.toString("utf8", start, end === -1 ? environ.length : end);
  }
  return undefined;
}

let environBuffer: Buffer | undefined;

/**
 * The WARDEN_INSTANCE marker of process `pid`, read from the first MAX_ENVIRON_BYTES of
 * /proc/<pid>/environ; undefined when it has none, is gone, or is not ours to read.
 *
 * @example
 * instanceIdOf(child.pid); // "9f0c…"
 */
export function instanceIdOf(pid: number): string | undefined {
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/environ`, "r");
  } catch {
    // ENOENT or ESRCH: gone (or no /proc); EACCES: another user's process, never ours.
    return undefined;
  }
  try {
    const buffer = (environBuffer ??= Buffer.allocUnsafe(MAX_ENVIRON_BYTES));
    let length = 0;
    let complete = false;
    while (length < buffer.length) {
      const read = readSync(
        fd,
        buffer,
        length,
        Math.min(CHUNK_BYTES, buffer.length - length),
        null,
      );
      if (read === 0) {
        complete = true;
        break;
      }
      length += read;
    }
    return instanceMarkerIn(buffer.subarray(0, length), complete);
  } catch {
    // ESRCH: it exited between the open and the read; EACCES: it changed user meanwhile.
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * The running processes that belong to an instance but are not in its process group: those that
 * carry its marker, and every live descendant of those and of the group's members. Never this
 * process, init, or a process that started before `startedSince`. By pid.
 *
 * @example
 * const escaped = findEscaped({ pgid: child.pid, instanceId }); // before signalling the group
 */
export function findEscaped(query: EscapedQuery): ProcessRef[] {
  const { pgid, instanceId, startedSince } = query;
  if (!procAvailable() || (pgid === undefined && instanceId === undefined)) return [];
  const scan = snapshot(query.fresh === true, query.freshSince);
  const since = startedSince === undefined ? undefined : Number(startedSince);
  const candidates = scan.processes.filter(
    (entry) =>
      !isZombie(entry) &&
      entry.pid > 1 &&
      entry.pid !== process.pid &&
      (since === undefined || !(Number(entry.startTime) < since)),
  );
  const children = new Map<number, ProcStat[]>();
  for (const entry of candidates) {
    const siblings = children.get(entry.ppid);
    if (siblings) siblings.push(entry);
    else children.set(entry.ppid, [entry]);
  }
  const found = new Map<number, ProcStat>();
  const queue = candidates.filter(
    (entry) =>
      (pgid !== undefined && entry.pgrp === pgid) ||
      (instanceId !== undefined && markerOf(scan, entry.pid) === instanceId),
  );
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    if (found.has(next.pid)) continue;
    found.set(next.pid, next);
    queue.push(...(children.get(next.pid) ?? []));
  }
  return [...found.values()]
    .filter((entry) => pgid === undefined || entry.pgrp !== pgid)
    .map(({ pid, startTime }) => ({ pid, startTime }))
    .sort((a, b) => a.pid - b.pid);
}

/**
 * The processes of `refs` that still run with the start time they had (zombies do not run).
 *
 * @example
 * escaped = runningOf(escaped);
 */
export function runningOf(refs: readonly ProcessRef[]): ProcessRef[] {
  return refs.filter((ref) => {
    const stat = readStat(ref.pid);
    return stat !== undefined && stat.startTime === ref.startTime && !isZombie(stat);
  });
}

/**
 * Sends `signal` to the process `ref` names if it is still that process; false when it is gone.
 * Throws for other failures (EPERM). Never signals init or this process.
 *
 * @example
 * for (const ref of escaped) signalProcess(ref, "SIGTERM");
 */
export function signalProcess(ref: ProcessRef, signal: NodeJS.Signals): boolean {
  if (ref.pid <= 1 || ref.pid === process.pid) return false;
  if (readStat(ref.pid)?.startTime !== ref.startTime) return false;
  try {
    process.kill(ref.pid, signal);
    return true;
  } catch (error) {
    if (errorCode(error) === "ESRCH") return false;
    throw error;
  }
}

interface Snapshot {
  /** When the scan began: processes born later may be missing from it. */
  takenAt: number;
  /** When it ended: the burst that shares it is counted from here (a scan of a busy machine
   * takes longer than SHARED_SCAN_MS itself). */
  doneAt: number;
  processes: ProcStat[];
  /** Markers read so far, by pid: each environment is read at most once per scan. */
  markers: Map<number, string | undefined>;
}

let shared: Snapshot | undefined;

function snapshot(fresh: boolean, since: number | undefined): Snapshot {
  const now = performance.now();
  if (
    fresh ||
    shared === undefined ||
    now - shared.doneAt > SHARED_SCAN_MS ||
    (since !== undefined && shared.takenAt < since)
  ) {
    const processes = scanProcesses();
    shared = { takenAt: now, doneAt: performance.now(), processes, markers: new Map() };
  }
  return shared;
}

function markerOf(scan: Snapshot, pid: number): string | undefined {
  if (!scan.markers.has(pid)) scan.markers.set(pid, instanceIdOf(pid));
  return scan.markers.get(pid);
}
