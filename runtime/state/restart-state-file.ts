/**
 * `<stateDir>/restart-state.json`: each daemon's restart record (machines/restart-record.ts), so
 * that a crash loop and a FAILED daemon survive a restart of the manager. Written whole, to a
 * temporary file renamed over the old one, so a reader never sees a torn file; read once when a
 * manager starts. A file that cannot be read or makes no sense is reported and ignored: the
 * manager then starts every daemon fresh, as it would without the file.
 *
 * {"version":1,"daemons":{"worker":{"attempt":3,"restartTimes":[1763874000000],"failed":{"at":1763874005000,"reason":"intensity","error":"exit 1"}}}}
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { messageOf } from "../../machines/errors.ts";
import type { FailedRecord, RestartRecord } from "../../machines/restart-record.ts";
import { jsonRecord } from "./json-record.ts";

export const RESTART_STATE_FILE = "restart-state.json";

const VERSION = 1;

/** What a restart-state file held: the records that make sense, and what was wrong with it. */
export interface RestartStateRead {
  records: Map<string, RestartRecord>;
  /** Set when (part of) the file was ignored: why, for a warning. */
  problem?: string;
}

/**
 * Reads `<stateDir>/restart-state.json`. A missing file is no problem; an unreadable, torn or
 * foreign one is (every record ignored), and so is a record that makes no sense (that one
 * ignored, the others kept).
 *
 * @example
 * readRestartState("/srv/app/.warden").records.get("worker"); // { attempt: 3, restartTimes: [...] }
 */
export function readRestartState(stateDir: string): RestartStateRead {
  let text: string;
  try {
    text = readFileSync(join(stateDir, RESTART_STATE_FILE), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { records: new Map() };
    return { records: new Map(), problem: `cannot read it: ${messageOf(error)}` };
  }
  return parseRestartState(text);
}

/**
 * The records of a restart-state file's text.
 *
 * @example
 * parseRestartState('{"version":1,"daemons":{"db":{"attempt":1,"restartTimes":[5]}}}').records;
 * // Map { "db" => { attempt: 1, restartTimes: [5] } }
 */
export function parseRestartState(text: string): RestartStateRead {
  const file = jsonRecord(text);
  if (file === undefined) return { records: new Map(), problem: "it is not a JSON object" };
  if (file.version !== VERSION) {
    return { records: new Map(), problem: `unknown version ${JSON.stringify(file.version)}` };
  }
  const daemons = file.daemons;
  if (!isObject(daemons)) return { records: new Map(), problem: `"daemons" is not an object` };
  const records = new Map<string, RestartRecord>();
  const bad: string[] = [];
  for (const [name, value] of Object.entries(daemons)) {
    const record = recordFrom(value);
    if (record) records.set(name, record);
    else bad.push(name);
  }
  if (bad.length === 0) return { records };
  return {
    records,
    problem: `ignored the records of ${bad.map((n) => JSON.stringify(n)).join(", ")}`,
  };
}

/** A record as stored, or undefined when it is not one. */
function recordFrom(value: unknown): RestartRecord | undefined {
  if (!isObject(value)) return undefined;
  const { attempt, restartTimes, failed } = value;
  if (!isCount(attempt) || !Array.isArray(restartTimes) || !restartTimes.every(isTime)) {
    return undefined;
  }
  const record: RestartRecord = { attempt, restartTimes: [...restartTimes] };
  if (failed === undefined) return record;
  const failure = failedFrom(failed);
  if (failure === undefined) return undefined;
  record.failed = failure;
  return record;
}

function failedFrom(value: unknown): FailedRecord | undefined {
  if (!isObject(value)) return undefined;
  const { at, reason, error } = value;
  if (!isTime(at) || typeof reason !== "string") return undefined;
  if (error !== undefined && typeof error !== "string") return undefined;
  return error === undefined ? { at, reason } : { at, reason, error };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const isCount = (value: unknown): value is number =>
  Number.isSafeInteger(value) && Number(value) >= 0;

const isTime = (value: unknown): value is number =>
  typeof value === "number" && Number.isFinite(value);

/**
 * Writes every record to `<stateDir>/restart-state.json` at once (created, mode 0700, when
 * missing); with no records, removes the file. Throws what the file system says.
 *
 * @example
 * writeRestartState("/srv/app/.warden", new Map([["worker", { attempt: 1, restartTimes: [5] }]]));
 */
export function writeRestartState(
  stateDir: string,
  records: ReadonlyMap<string, RestartRecord>,
): void {
  const file = join(stateDir, RESTART_STATE_FILE);
  if (records.size === 0) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const temporary = join(stateDir, `.${RESTART_STATE_FILE}.${process.pid}.tmp`);
  const daemons = Object.fromEntries(records);
  try {
    // No fsync: as for the pid records, a lost page cache after a power loss loses little.
    writeFileSync(temporary, `${JSON.stringify({ version: VERSION, daemons }, null, 2)}\n`, {
      mode: 0o600,
    });
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
