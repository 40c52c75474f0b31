/**
 * `warden logs -n N`: the last N lines of a daemon's log, taken from the current file and then,
 * while that is not enough, from the rotated files, newest first. Reads files from their end, so
 * a large log costs what the lines asked for, not its size.
 */
import { closeSync, fstatSync, readSync } from "node:fs";
import { rotatedFileOf } from "../actors/log-files.ts";
import { openCursor, type FollowStart } from "./log-follow.ts";

// Rotated files looked at; far more than any maxFiles in use, and the walk stops at a gap.
const MAX_ROTATED_FILES = 10_000;
const BLOCK_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

export interface LogTail extends FollowStart {
  /** The lines to print, oldest first, exactly as stored (without their `\n`). */
  lines: string[];
  /** Some file of this log exists. */
  found: boolean;
}

/**
 * The last `count` lines of the log `file` and its rotated files. With `follow`, the current
 * file stays open in `cursor`, positioned after the last complete line (a line being written
 * is left to the follower); without it, every file is closed and such a line is printed too.
 *
 * @example
 * const { lines, found } = tailLog("/srv/.warden/logs/api.log", 10, false);
 */
export function tailLog(file: string, count: number, follow: boolean): LogTail {
  // Newest part first; a rotation during the walk shows up as an inode seen twice.
  const parts: string[][] = [];
  const seen = new Set<number>();
  let total = 0;
  const cursor = openCursor(file);
  if (cursor) {
    seen.add(cursor.inode);
    const size = fstatSync(cursor.fd).size;
    const { complete, partial, partialBytes } = readTail(cursor.fd, size, count);
    const part = follow || partial === undefined ? complete : lastOf([...complete, partial], count);
    parts.push(part);
    total += part.length;
    // The follower reads the partial line again once it is complete.
    cursor.offset = size - (follow ? partialBytes : 0);
    if (!follow) closeSync(cursor.fd);
  }
  let found = cursor !== undefined;
  let newestInode: number | undefined;
  for (let index = 1; index <= MAX_ROTATED_FILES; index++) {
    if (cursor && total >= count) break;
    const older = openCursor(rotatedFileOf(file, index));
    if (!older) break;
    found = true;
    try {
      if (seen.has(older.inode)) continue;
      seen.add(older.inode);
      newestInode ??= older.inode;
      if (total >= count) break;
      const { complete, partial } = readTail(older.fd, fstatSync(older.fd).size, count - total);
      const part = lastOf(partial === undefined ? complete : [...complete, partial], count - total);
      parts.push(part);
      total += part.length;
    } finally {
      closeSync(older.fd);
    }
  }
  const lines = parts.reverse().flat();
  return { lines, found, cursor: follow ? cursor : undefined, newestInode };
}

interface TailLines {
  /** Up to `count` of the last lines that end with `\n`. */
  complete: string[];
  /** What follows the last `\n`, when the file does not end with one. */
  partial: string | undefined;
  partialBytes: number;
}

/** The last `count` complete lines of the first `end` bytes of `fd`, and the partial one after them. */
function readTail(fd: number, end: number, count: number): TailLines {
  const blocks: Buffer[] = [];
  let start = end;
  let newlines = 0;
  // One newline more than lines wanted: the line before it may start in a block not read.
  while (start > 0 && newlines <= count) {
    const size = Math.min(BLOCK_BYTES, start);
    start -= size;
    const block = readAt(fd, start, size);
    blocks.unshift(block);
    newlines += countNewlines(block);
  }
  const bytes = Buffer.concat(blocks);
  const lastNewline = bytes.lastIndexOf(NEWLINE);
  const partialBytes = bytes.length - (lastNewline + 1);
  const partial = partialBytes > 0 ? bytes.toString("utf8", lastNewline + 1) : undefined;
  if (lastNewline === -1) return { complete: [], partial, partialBytes };
  const complete = bytes.toString("utf8", 0, lastNewline).split("\n");
  // Unless the file was read from its start, the first line may be cut.
  if (start > 0) complete.shift();
  return { complete: lastOf(complete, count), partial, partialBytes };
}

function readAt(fd: number, position: number, size: number): Buffer {
  const block = Buffer.alloc(size);
  let filled = 0;
  while (filled < size) {
    const read = readSync(fd, block, filled, size - filled, position + filled);
    // The file shrank under us (truncated in place): what was read is all there is.
    if (read === 0) return block.subarray(0, filled);
    filled += read;
  }
  return block;
}

function countNewlines(block: Buffer): number {
  let count = 0;
  for (let at = block.indexOf(NEWLINE); at !== -1; at = block.indexOf(NEWLINE, at + 1)) count++;
  return count;
}

function lastOf<T>(items: readonly T[], count: number): T[] {
  return count === 0 ? [] : items.slice(-count);
}
