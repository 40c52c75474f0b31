/**
 * The records of running process daemons under `<stateDir>/pids` (SPEC §4): one file per daemon
 * with its pid, start time, boot id and instance marker, so that a manager killed with SIGKILL
 * leaves something the next one can find (actors/reap-orphans.ts).
 *
 * Corrupt or foreign files in the records folder are reported and left where they are: records
 * are written to a temporary file and renamed, so warden never leaves a partial record, and a file
 * it cannot read is not its own to delete.
 */
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
import { messageOf } from "../machines/errors.ts";
import { isInstanceId } from "./process-descendants.ts";
import { bootId, errorCode, isProcessId } from "./process-groups.ts";

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
  /**
   * The WARDEN_INSTANCE marker every process of the instance inherited: what left the group
   * (setsid, double fork) is found by it. Records of older managers have none.
   */
  instanceId?: string;
}

/** Records are tiny; a big file in the folder is foreign and is not read. */
const MAX_RECORD_BYTES = 64 * 1024;

const TEMPORARY_FILE = /^\..*\.tmp$/;

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

export function readRecordFiles(dir: string): {
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
  const { daemon, pid, startTime, command, recordedAt, bootId, instanceId } = record;
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
  if (instanceId !== undefined && !isInstanceId(instanceId)) {
    return `"instanceId" must be 16 to 128 letters, digits, "-" or "_", got ${JSON.stringify(instanceId)}`;
  }
  return undefined;
}

/** The record's own fields, whatever else the object carries. */
function pickRecord(record: ProcessRecord): ProcessRecord {
  const { daemon, pid, startTime, command, recordedAt, bootId, instanceId } = record;
  const picked: ProcessRecord = { daemon, pid, startTime, command, recordedAt };
  if (bootId !== undefined) picked.bootId = bootId;
  if (instanceId !== undefined) picked.instanceId = instanceId;
  return picked;
}

export function forgetFile(file: string, pid: number): void {
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
export function removeTemporaryFiles(dir: string, problem: (message: string) => void): void {
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
