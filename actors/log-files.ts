/**
 * Where a daemon's log files live (SPEC §4): `<stateDir>/logs/<name>.log`, rotated to
 * `<name>.log.1` (the newest) … `<name>.log.<maxFiles - 1>` (the oldest). Shared by the process
 * driver that writes them and by `warden logs` that reads them.
 */
import { join } from "node:path";

/** The folder under the state directory that holds every daemon's log files. */
export const LOGS_FOLDER = "logs";

// Names longer than this are cut (with a hash) so that "<name>.log.<n>" fits a 255-byte file name.
const MAX_STEM_LENGTH = 200;
const UNSAFE_CHARACTER = /[^A-Za-z0-9._-]/g;
// A leading dot would hide the file; a run of dots reads like a parent reference.
const MISLEADING_DOTS = /^\.+|\.{2,}/g;

/**
 * The log file of `daemon` under `stateDir`. Characters outside `[A-Za-z0-9._-]`, leading dots
 * and runs of dots become `_`, so the file is always one plain name inside `<stateDir>/logs`;
 * a name that had to change also gets a hash of the original, so that two daemons never share
 * a file.
 *
 * @example
 * logFileOf("/srv/.warden", "AUTO_SYNC"); // "/srv/.warden/logs/AUTO_SYNC.log"
 * logFileOf("/srv/.warden", "../etc/passwd"); // "/srv/.warden/logs/__etc_passwd-62dab22f.log"
 */
export function logFileOf(stateDir: string, daemon: string): string {
  return join(stateDir, LOGS_FOLDER, `${safeStem(daemon)}.log`);
}

/**
 * The path of the `index`-th rotated file of `file` (1 is the newest).
 *
 * @example
 * rotatedFileOf("/srv/.warden/logs/api.log", 2); // "/srv/.warden/logs/api.log.2"
 */
export function rotatedFileOf(file: string, index: number): string {
  return `${file}.${index}`;
}

/**
 * The rotated files a log keeps besides `file` itself when it keeps `maxFiles` files in all,
 * oldest first.
 *
 * @example
 * rotatedFilesOf("api.log", 3); // ["api.log.2", "api.log.1"]
 * rotatedFilesOf("api.log", 1); // []
 */
export function rotatedFilesOf(file: string, maxFiles: number): string[] {
  const files: string[] = [];
  for (let index = maxFiles - 1; index >= 1; index--) files.push(rotatedFileOf(file, index));
  return files;
}

function safeStem(daemon: string): string {
  const stem = daemon.replace(UNSAFE_CHARACTER, "_").replace(MISLEADING_DOTS, "_");
  if (stem === daemon && stem.length > 0 && stem.length <= MAX_STEM_LENGTH) return stem;
  return `${stem.slice(0, MAX_STEM_LENGTH)}-${fnv1a(daemon)}`;
}

/** FNV-1a, 32 bits, as 8 hex digits: short, stable, and pure (no node:crypto needed). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}
