/**
 * `<stateDir>/manager.json`: how the command line finds the running manager's control API
 * (docs/control-api.md). Written once the server listens, removed when it stops; a file whose
 * pid is not alive is stale and reads as "no manager".
 */
import { readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jsonRecord } from "../state/json-record.ts";

export const MANAGER_INFO_FILE = "manager.json";

export interface ManagerInfo {
  pid: number;
  /** The control API, e.g. `http://127.0.0.1:7070`. */
  url: string;
  /** ISO 8601. */
  startedAt: string;
  /** The absolute path of the configuration file. */
  config?: string;
}

/**
 * Writes `manager.json` atomically (a reader sees the old file or the new one, never half of
 * one), mode 0600. `stateDir` must exist.
 *
 * @example
 * writeManagerInfo(".warden", { pid: process.pid, url: "http://127.0.0.1:7070", startedAt: new Date().toISOString() });
 */
export function writeManagerInfo(stateDir: string, info: ManagerInfo): void {
  const file = join(stateDir, MANAGER_INFO_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}

/**
 * Removes `manager.json` if it still names `pid`: a manager that started since keeps its own.
 *
 * @example
 * removeManagerInfo(".warden", process.pid);
 */
export function removeManagerInfo(stateDir: string, pid: number): void {
  const file = join(stateDir, MANAGER_INFO_FILE);
  if (parseManagerInfo(readText(file))?.pid !== pid) return;
  try {
    unlinkSync(file);
  } catch (error) {
    // Removed by someone else meanwhile: the outcome we wanted.
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

/**
 * The running manager of `stateDir`; undefined when there is no `manager.json`, when it is not
 * valid, or when its pid is not alive.
 *
 * @example
 * const info = readManagerInfo(".warden");
 * if (!info) throw new WardenError("WARDEN_ERR_NOT_RUNNING", "no manager is running");
 */
export function readManagerInfo(stateDir: string): ManagerInfo | undefined {
  const info = parseManagerInfo(readText(join(stateDir, MANAGER_INFO_FILE)));
  return info && isAlive(info.pid) ? info : undefined;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    // Missing or unreadable: either way there is no manager to talk to.
    return undefined;
  }
}

function parseManagerInfo(text: string | undefined): ManagerInfo | undefined {
  const record = jsonRecord(text);
  if (record === undefined) return undefined;
  const { pid, url, startedAt, config } = record;
  const valid =
    Number.isInteger(pid) &&
    (pid as number) > 0 &&
    typeof url === "string" &&
    typeof startedAt === "string" &&
    (config === undefined || typeof config === "string");
  if (!valid) return undefined;
  const info: ManagerInfo = { pid: pid as number, url, startedAt };
  if (config !== undefined) info.config = config;
  return info;
}

/** Signal 0 checks that the process exists; EPERM means it does, under another user. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
