/**
 * Nothing outlives the manager (SPEC §4): every process daemon leads its own process group, and
 * its pid and start time are recorded under `<stateDir>/pids` while it runs. A manager killed with
 * SIGKILL cannot stop its groups, so the next one reaps them from the records before it starts
 * anything. The start time tells our process from one that reused the pid; records of an earlier
 * boot name nothing that can still run.
 *
 * Corrupt or foreign files in the records folder are reported and left where they are: records
 * are written to a temporary file and renamed, so warden never leaves a partial record, and a file
 * it cannot read is not its own to delete.
 */
import { execFileSync } from "node:child_process";
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { messageOf } from "../runtime/errors.ts";
import { systemClock, type WardenClock } from "./clock.ts";

export interface ProcessRecord {
  daemon: string;
  pid: number;
  /**
   * Process start time as the OS reports it (Linux: /proc/<pid>/stat field 22, clock ticks
   * since boot; elsewhere `ps -o lstart=`).
   */
  startTime: string;
  command: string;
  /** ISO time of recording. */
  recordedAt: string;
  /** Linux boot id; `recordProcess` fills it in. A record of another boot names nothing alive. */
  bootId?: string;
}

export interface ReapOutcome {
  daemon: string;
  pid: number;
  /**
   * stopped: ended after SIGTERM · killed: needed SIGKILL · gone: nothing of it ran any more ·
   * pid-reused: what runs under that id is not ours, so it was left alone
   */
  action: "stopped" | "killed" | "gone" | "pid-reused";
}

export interface ReapOptions {
  /** How long a group gets between SIGTERM and SIGKILL (default 5000). */
  graceMs?: number;
  /** Called as each record is settled. */
  onOutcome?(outcome: ReapOutcome): void;
  /** Called for each file that is not a valid record and each group that could not be stopped. */
  onProblem?(message: string): void;
  clock?: WardenClock;
}

const DEFAULT_GRACE_MS = 5000;
const POLL_MS = 25;
/** How long SIGKILLed processes get to disappear before it is reported. */
const KILL_SETTLE_MS = 2000;
/** Records are tiny; a big file in the folder is foreign and is not read. */
const MAX_RECORD_BYTES = 64 * 1024;
const TEMPORARY_FILE = /^\..*\.tmp$/;

interface ProcStat {
  pid: number;
  state: string;
  pgrp: number;
  session: number;
  startTime: string;
}

/**
 * The start time of process `pid` as the OS reports it, or undefined when there is no such
 * process. Linux: field 22 of /proc/<pid>/stat; elsewhere `ps -o lstart=`.
 *
 * @example
 * processStartTime(process.pid); // "64075"
 */
export function processStartTime(pid: number): string | undefined {
  if (!isProcessId(pid)) return undefined;
  if (procAvailable()) return readStat(pid)?.startTime;
  try {
    // Fixed locale and zone: a daylight-saving change must not make our process look foreign.
    const text = execFileSync("ps", ["-o", "lstart=", "-p", String(pid)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      env: { ...process.env, LC_ALL: "C", TZ: "UTC" },
      timeout: 5000,
    }).trim();
    return text === "" ? undefined : text;
  } catch {
    // ps exits 1 when there is no such process.
    return undefined;
  }
}

/**
 * Whether process group `pgid` has any member, zombies included (`kill(-pgid, 0)`; EPERM counts
 * as alive).
 *
 * @example
 * if (groupAlive(child.pid)) signalGroup(child.pid, "SIGKILL");
 */
export function groupAlive(pgid: number): boolean {
  assertGroupId(pgid);
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return errorCode(error) !== "ESRCH";
  }
}

/**
 * Whether process group `pgid` has a member that still runs. Unlike `groupAlive` it ignores
 * zombies, which linger when the process that should reap them does not (a container's init,
 * or a manager that is itself pid 1). Without /proc it is `groupAlive`.
 *
 * @example
 * while (groupRunning(pgid)) await sleep(25);
 */
export function groupRunning(pgid: number): boolean {
  return groupRunningIn(pgid, scanProcesses);
}

/**
 * Sends `signal` to every process of group `pgid`; false when the group is gone. Throws for
 * other failures (EPERM: the group is not ours) and for ids that would reach other groups.
 *
 * @example
 * signalGroup(child.pid, "SIGTERM");
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  assertGroupId(pgid);
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if (errorCode(error) === "ESRCH") return false;
    throw error;
  }
}

/**
 * Records a running process daemon in `dir` (`<stateDir>/pids`, created with mode 0700) as
 * `<safe name>.json`, atomically: a reader sees the old record or the new one, never a part.
 *
 * @example
 * recordProcess(pidsDir, { daemon: "trainer", pid: child.pid, startTime, command: "python3 train.py", recordedAt: new Date().toISOString() });
 */
export function recordProcess(dir: string, record: ProcessRecord): void {
  const problem = recordProblem(record);
  if (problem !== undefined) {
    throw new TypeError(
      `cannot record the process of ${JSON.stringify(record.daemon)}: ${problem}`,
    );
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const name = recordFileName(record.daemon);
  const temporary = join(dir, `.${name}.${process.pid}.tmp`);
  const stored: ProcessRecord = { ...pickRecord(record), bootId: record.bootId ?? bootId() };
  try {
    // No fsync: the records guard against a killed manager, not a lost page cache (after a
    // power loss nothing they name can run anyway).
    writeFileSync(temporary, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, join(dir, name));
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * Removes the record of `daemon` if it still names `pid` (a newer instance's record stays).
 *
 * @example
 * child.on("exit", () => forgetProcess(pidsDir, "trainer", child.pid));
 */
export function forgetProcess(dir: string, daemon: string, pid: number): void {
  forgetFile(join(dir, recordFileName(daemon)), pid);
}

/**
 * Every valid record in `dir`, and a message naming each file that is not one. A missing folder
 * has no records; bad content never throws.
 *
 * @example
 * const { records, problems } = readRecords(join(stateDir, "pids"));
 */
export function readRecords(dir: string): { records: ProcessRecord[]; problems: string[] } {
  const { entries, problems } = readRecordFiles(dir);
  return { records: entries.map((entry) => entry.record), problems };
}

/**
 * Stops what the records in `dir` name and deletes the records: SIGTERM to each recorded group,
 * SIGKILL after `graceMs`, all groups in parallel. A pid now held by another process, or a group
 * that is not the one the recorded leader founded, is left alone. A group that cannot be
 * signalled is reported through `onProblem` and keeps its record for the next attempt.
 *
 * @example
 * await reapOrphans(join(stateDir, "pids"), { onOutcome: (o) => logger.warn(o, "orphan") });
 */
export async function reapOrphans(dir: string, options: ReapOptions = {}): Promise<ReapOutcome[]> {
  let callbackFailure: { error: unknown } | undefined;
  const callback = (call: () => void) => {
    try {
      call();
    } catch (error) {
      // The caller's callback must not stop the reaping of the other records; rethrown below.
      callbackFailure ??= { error };
    }
  };
  const clock = options.clock ?? systemClock;
  const context: ReapContext = {
    graceMs: options.graceMs ?? DEFAULT_GRACE_MS,
    clock,
    processes: recentScan(clock),
    problem: (message) => callback(() => options.onProblem?.(message)),
  };
  const { entries, problems } = readRecordFiles(dir);
  problems.forEach(context.problem);
  removeTemporaryFiles(dir, context.problem);
  const settled = await Promise.all(
    entries.map(async ({ file, record }) => {
      const { daemon, pid } = record;
      try {
        const action = await reapGroup(record, context);
        forgetFile(file, pid);
        const outcome: ReapOutcome = { daemon, pid, action };
        callback(() => options.onOutcome?.(outcome));
        return outcome;
      } catch (error) {
        context.problem(`cannot stop process group ${pid} of ${daemon}: ${messageOf(error)}`);
        return undefined;
      }
    }),
  );
  if (callbackFailure) throw callbackFailure.error;
  return settled.filter((outcome) => outcome !== undefined);
}

interface ReapContext {
  graceMs: number;
  clock: WardenClock;
  processes: () => ProcStat[];
  problem: (message: string) => void;
}

async function reapGroup(
  record: ProcessRecord,
  context: ReapContext,
): Promise<ReapOutcome["action"]> {
  const owner = ownerOfGroup(record, context);
  if (owner !== "ours") return owner;
  const pgid = record.pid;
  if (!groupRunningIn(pgid, context.processes) || !signalGroup(pgid, "SIGTERM")) return "gone";
  // A stopped process acts on SIGTERM only once it is continued.
  signalGroup(pgid, "SIGCONT");
  if (await groupEnds(pgid, context.graceMs, context)) return "stopped";
  signalGroup(pgid, "SIGKILL");
  if (!(await groupEnds(pgid, KILL_SETTLE_MS, context))) {
    context.problem(
      `process group ${pgid} of ${record.daemon} still runs ${KILL_SETTLE_MS} ms after SIGKILL`,
    );
  }
  return "killed";
}

/** Whether the group the record names is still the one its leader founded. */
function ownerOfGroup(record: ProcessRecord, context: ReapContext): "ours" | "gone" | "pid-reused" {
  const currentBoot = bootId();
  if (record.bootId !== undefined && currentBoot !== undefined && record.bootId !== currentBoot) {
    return "gone";
  }
  const startTime = processStartTime(record.pid);
  if (startTime !== undefined && startTime !== record.startTime) return "pid-reused";
  if (startTime === undefined) {
    // The leader is gone. A pid is not reused while a group still bears it, so the group is the
    // leader's, unless it emptied and a newcomer took the pid and founded one: the newcomer's
    // group sits in another session (e.g. a shell job) or started before our leader.
    if (!groupRunningIn(record.pid, context.processes)) return "gone";
    if (!leaderlessGroupIsOurs(record, context.processes())) return "pid-reused";
  }
  if (isOwnGroup(record.pid)) {
    context.problem(`the record of ${record.daemon} names this manager's own process group`);
    return "pid-reused";
  }
  return "ours";
}

/** Our leaders were spawned detached (setsid): their groups form the session of the same id. */
function leaderlessGroupIsOurs(record: ProcessRecord, processes: ProcStat[]): boolean {
  if (!procAvailable()) return true;
  const recordedStart = Number(record.startTime);
  return processes
    .filter((entry) => entry.pgrp === record.pid && !isZombie(entry))
    .every((entry) => entry.session === record.pid && Number(entry.startTime) >= recordedStart);
}

async function groupEnds(pgid: number, ms: number, context: ReapContext): Promise<boolean> {
  const deadline = context.clock.now() + ms;
  for (;;) {
    if (!groupRunningIn(pgid, context.processes)) return true;
    if (context.clock.now() >= deadline) return false;
    await new Promise((resolve) => context.clock.setTimeout(resolve, POLL_MS));
  }
}

function groupRunningIn(pgid: number, processes: () => ProcStat[]): boolean {
  if (!groupAlive(pgid)) return false;
  if (!procAvailable()) return true;
  // A running leader answers with one file; only a leaderless group needs the whole scan.
  const leader = readStat(pgid);
  if (leader && leader.pgrp === pgid && !isZombie(leader)) return true;
  return processes().some((entry) => entry.pgrp === pgid && !isZombie(entry));
}

/** One /proc scan shared by every group polled within the same tick. */
function recentScan(clock: WardenClock): () => ProcStat[] {
  let scannedAt = -Infinity;
  let processes: ProcStat[] = [];
  return () => {
    if (clock.now() - scannedAt >= POLL_MS / 2) {
      processes = scanProcesses();
      scannedAt = clock.now();
    }
    return processes;
  };
}

function scanProcesses(): ProcStat[] {
  if (!procAvailable()) return [];
  const processes: ProcStat[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) processes.push(stat);
  }
  return processes;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    // ENOENT or ESRCH: the process is gone (or never was).
    return undefined;
  }
  // "pid (comm) state ppid pgrp session … starttime …": comm may hold spaces and ')'.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const [state, , pgrp, session] = fields;
  const startTime = fields[19];
  if (state === undefined || session === undefined || startTime === undefined) return undefined;
  return { pid, state, pgrp: Number(pgrp), session: Number(session), startTime };
}

function isZombie(entry: ProcStat): boolean {
  return entry.state === "Z" || entry.state === "X" || entry.state === "x";
}

function isOwnGroup(pgid: number): boolean {
  return pgid === process.pid || pgid === readStat(process.pid)?.pgrp;
}

let procPresent: boolean | undefined;
function procAvailable(): boolean {
  procPresent ??= readStat(process.pid) !== undefined;
  return procPresent;
}

let currentBootId: string | null | undefined;
function bootId(): string | undefined {
  if (currentBootId === undefined) {
    try {
      currentBootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim() || null;
    } catch {
      // Not Linux: records carry no boot id and are judged by start time alone.
      currentBootId = null;
    }
  }
  return currentBootId ?? undefined;
}

function readRecordFiles(dir: string): {
  entries: { file: string; record: ProcessRecord }[];
  problems: string[];
} {
  const entries: { file: string; record: ProcessRecord }[] = [];
  const problems: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (error) {
    if (errorCode(error) === "ENOENT") return { entries, problems };
    return {
      entries,
      problems: [`cannot read the process records in ${dir}: ${messageOf(error)}`],
    };
  }
  for (const name of names) {
    if (TEMPORARY_FILE.test(name)) continue;
    const file = join(dir, name);
    const record = readRecordFile(file);
    if (typeof record === "string") problems.push(`${file}: ${record}`);
    else entries.push({ file, record });
  }
  return { entries, problems };
}

/** The record in `file`, or what is wrong with it. */
function readRecordFile(file: string): ProcessRecord | string {
  if (!file.endsWith(".json")) return "not a process record (expected <daemon>.json)";
  let value: unknown;
  try {
    const stats = lstatSync(file);
    if (!stats.isFile()) return "not a process record (not a regular file)";
    if (stats.size > MAX_RECORD_BYTES) return `not a process record (${stats.size} bytes)`;
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    return `not a readable JSON process record: ${messageOf(error)}`;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return "expected a JSON object { daemon, pid, startTime, command, recordedAt }";
  }
  const record = value as ProcessRecord;
  return recordProblem(record) ?? pickRecord(record);
}

function recordProblem(record: ProcessRecord): string | undefined {
  const { daemon, pid, startTime, command, recordedAt, bootId } = record;
  if (typeof daemon !== "string" || daemon === "") {
    return `"daemon" must be a non-empty string, got ${JSON.stringify(daemon)}`;
  }
  if (!isProcessId(pid) || pid < 2) {
    return `"pid" must be an integer greater than 1, got ${JSON.stringify(pid)}`;
  }
  if (typeof startTime !== "string" || startTime === "") {
    return `"startTime" must be a non-empty string, got ${JSON.stringify(startTime)}`;
  }
  if (typeof command !== "string") {
    return `"command" must be a string, got ${JSON.stringify(command)}`;
  }
  if (typeof recordedAt !== "string") {
    return `"recordedAt" must be an ISO time string, got ${JSON.stringify(recordedAt)}`;
  }
  if (bootId !== undefined && typeof bootId !== "string") {
    return `"bootId" must be a string, got ${JSON.stringify(bootId)}`;
  }
  return undefined;
}

/** The record's own fields, whatever else the object carries. */
function pickRecord(record: ProcessRecord): ProcessRecord {
  const { daemon, pid, startTime, command, recordedAt, bootId } = record;
  const picked = { daemon, pid, startTime, command, recordedAt };
  return bootId === undefined ? picked : { ...picked, bootId };
}

function forgetFile(file: string, pid: number): void {
  let stored: unknown;
  try {
    stored = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    if (error instanceof SyntaxError || errorCode(error) === "ENOENT") return;
    throw error;
  }
  if ((stored as Partial<ProcessRecord> | null)?.pid === pid) rmSync(file, { force: true });
}

/** Records a manager wrote but died before renaming into place. */
function removeTemporaryFiles(dir: string, problem: (message: string) => void): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    // Already reported by readRecordFiles (or absent: nothing to remove).
    return;
  }
  for (const name of names.filter((entry) => TEMPORARY_FILE.test(entry))) {
    try {
      rmSync(join(dir, name), { force: true });
    } catch (error) {
      problem(`cannot remove ${join(dir, name)}: ${messageOf(error)}`);
    }
  }
}

/** `gpu/trainer 1` → `gpu_trainer_1.json`. */
function recordFileName(daemon: string): string {
  return `${daemon.replace(/[^A-Za-z0-9._-]/g, "_")}.json`;
}

function isProcessId(pid: unknown): pid is number {
  return typeof pid === "number" && Number.isSafeInteger(pid) && pid > 0;
}

/** 0, 1 and negative ids would signal the caller's own group or every process there is. */
function assertGroupId(pgid: number): void {
  if (!isProcessId(pgid) || pgid < 2) {
    throw new RangeError(`not a process group id warden may signal: ${pgid}`);
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}
