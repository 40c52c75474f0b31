/**
 * The tail of a process daemon's log for the inspector: the last lines of
 * `<stateDir>/logs/<name>.log` (and of its newest rotated file when that is not enough), read
 * from the end and bounded in bytes, so that a large log costs the inspector little.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { logFileOf, rotatedFileOf } from "../../actors/log-files.ts";

/** Bytes read from the end of each file at most. */
const MAX_BYTES = 64 * 1024;
/** Longer lines are cut, with an ellipsis. */
const MAX_LINE_LENGTH = 2000;

export interface LogLines {
  /** Oldest first. */
  lines: string[];
  /** Some file of this log exists. */
  found: boolean;
}

/**
 * Up to `count` of the last lines of `daemon`'s log.
 *
 * @example
 * logLines("/srv/.warden", "trainer", 100); // { lines: ["epoch 3 …", …], found: true }
 */
export function logLines(stateDir: string, daemon: string, count: number): LogLines {
  const file = logFileOf(stateDir, daemon);
  const current = tailOf(file);
  if (current === undefined || current.length >= count) {
    const older = current === undefined ? tailOf(rotatedFileOf(file, 1)) : undefined;
    const lines = current ?? older;
    return { lines: (lines ?? []).slice(-count).map(clipped), found: lines !== undefined };
  }
  const older = tailOf(rotatedFileOf(file, 1)) ?? [];
  return { lines: [...older, ...current].slice(-count).map(clipped), found: true };
}

/** The complete lines of the last {@link MAX_BYTES} of `file`; undefined when there is none. */
function tailOf(file: string): string[] | undefined {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    // No such log (yet), or unreadable: either way nothing to show.
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - MAX_BYTES);
    const buffer = Buffer.alloc(size - start);
    const read = readSync(fd, buffer, 0, buffer.length, start);
    const lines = buffer.toString("utf8", 0, read).split("\n");
    if (start > 0) lines.shift(); // cut at the front
    if (lines.at(-1) === "") lines.pop();
    return lines;
  } finally {
    closeSync(fd);
  }
}

function clipped(line: string): string {
  return line.length > MAX_LINE_LENGTH ? `${line.slice(0, MAX_LINE_LENGTH)}…` : line;
}
