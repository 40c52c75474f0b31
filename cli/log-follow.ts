/**
 * `warden logs -f`: prints the lines appended to a daemon's log as they come, across rotations
 * (the file renamed to `name.log.1` and created again), without missing or repeating a line.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { rotatedFileOf } from "../actors/log-files.ts";

/** How often the follower looks for new lines and rotations, as `tail -F` does. */
export const FOLLOW_INTERVAL_MS = 200;

// Rotated files looked at when catching up after a rotation; far more than any maxFiles in use.
const MAX_ROTATED_FILES = 10_000;
const BLOCK_BYTES = 64 * 1024;
// Lines of warden's own files are at most 64 KiB; a foreign file's endless line is cut here.
const MAX_PENDING_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

/** An open log file and how far it has been read. */
export interface LogCursor {
  fd: number;
  inode: number;
  /** Bytes read so far; the next read starts here. */
  offset: number;
  /** The start of a line whose end has not been read yet. */
  pending: Buffer;
}

/** Where following starts: the current file's cursor, or the newest rotated file already shown. */
export interface FollowStart {
  cursor: LogCursor | undefined;
  /** When there is no current file: the inode of the newest file whose lines are accounted for. */
  newestInode: number | undefined;
}

export interface FollowOptions {
  emit(line: string): void;
  /** Told about the first failure of every run of failed polls; following goes on. */
  onError(error: unknown): void;
  intervalMs?: number;
}

/**
 * Opens `file` for reading from `offset`, or returns `undefined` when it does not exist.
 *
 * @example
 * const cursor = openCursor("/srv/.warden/logs/api.log");
 */
export function openCursor(file: string, offset = 0): LogCursor | undefined {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    return { fd, inode: fstatSync(fd).ino, offset, pending: Buffer.alloc(0) };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/**
 * Reads everything appended since the cursor and emits its complete lines; a file truncated in
 * place is read again from its start.
 *
 * @example
 * drainCursor(cursor, (line) => console.log(line));
 */
export function drainCursor(cursor: LogCursor, emit: (line: string) => void): void {
  if (fstatSync(cursor.fd).size < cursor.offset) {
    cursor.offset = 0;
    cursor.pending = Buffer.alloc(0);
  }
  const block = Buffer.allocUnsafe(BLOCK_BYTES);
  for (;;) {
    const read = readSync(cursor.fd, block, 0, BLOCK_BYTES, cursor.offset);
    if (read === 0) return;
    cursor.offset += read;
    cursor.pending = emitLines(Buffer.concat([cursor.pending, block.subarray(0, read)]), emit);
  }
}

/**
 * Polls `file` every `intervalMs` (default 200 ms) and emits each new line once, until the
 * returned function is called; that function reads one last time and releases the file.
 *
 * @example
 * const stop = followLog(file, { cursor, newestInode: undefined }, { emit: io.out, onError });
 * io.onShutdownSignal(() => stop());
 */
export function followLog(file: string, start: FollowStart, options: FollowOptions): () => void {
  const follower = new LogFollower(file, start, options);
  const timer = setInterval(() => follower.poll(), options.intervalMs ?? FOLLOW_INTERVAL_MS);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    follower.poll();
    follower.release();
  };
}

class LogFollower {
  private cursor: LogCursor | undefined;
  private newestInode: number | undefined;
  private failing = false;

  constructor(
    private readonly file: string,
    start: FollowStart,
    private readonly options: FollowOptions,
  ) {
    this.cursor = start.cursor;
    this.newestInode = start.newestInode;
  }

  poll(): void {
    try {
      this.readNewLines();
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.options.onError(error);
      this.failing = true;
    }
  }

  release(): void {
    if (this.cursor) closeQuietly(this.cursor.fd);
    this.cursor = undefined;
  }

  private readNewLines(): void {
    const previous = this.cursor;
    if (previous) {
      // Look at the path before reading: once it names another file, the writer has finished
      // with the old one, so this read gets the old file's last lines.
      const atPath = inodeAt(this.file);
      drainCursor(previous, this.options.emit);
      if (atPath === previous.inode) return;
      this.cursor = undefined;
      this.newestInode = previous.inode;
    }
    try {
      const next = openCursor(this.file);
      if (!next) return;
      // Rotations between two polls: the files written after the one last read, oldest first.
      for (const older of filesNewerThan(this.file, this.newestInode, next.inode)) {
        this.readWhole(older);
      }
      this.cursor = next;
      drainCursor(next, this.options.emit);
    } finally {
      // Held open until now so that its inode cannot be reused by a newer file meanwhile.
      if (previous) this.finish(previous);
    }
  }

  private readWhole(file: string): void {
    const cursor = openCursor(file);
    if (!cursor) return;
    try {
      drainCursor(cursor, this.options.emit);
    } finally {
      this.finish(cursor);
    }
  }

  private finish(cursor: LogCursor): void {
    if (cursor.pending.length > 0) this.options.emit(cursor.pending.toString("utf8"));
    cursor.pending = Buffer.alloc(0);
    closeQuietly(cursor.fd);
  }
}

/** The rotated files of `file` newer than the one with `inode` (all when unknown), oldest first. */
function filesNewerThan(file: string, inode: number | undefined, current: number): string[] {
  const newer: string[] = [];
  for (let index = 1; index <= MAX_ROTATED_FILES; index++) {
    const rotated = rotatedFileOf(file, index);
    const found = inodeAt(rotated);
    if (found === undefined || found === inode) break;
    // The current file may have been rotated since it was opened; it is read as the current one.
    if (found !== current) newer.unshift(rotated);
  }
  return newer;
}

function inodeAt(file: string): number | undefined {
  try {
    return statSync(file).ino;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Emits the complete lines of `bytes` and returns the rest. */
function emitLines(bytes: Buffer, emit: (line: string) => void): Buffer {
  let start = 0;
  for (let end = bytes.indexOf(NEWLINE); end !== -1; end = bytes.indexOf(NEWLINE, start)) {
    emit(bytes.toString("utf8", start, end));
    start = end + 1;
  }
  if (bytes.length - start > MAX_PENDING_BYTES) {
    emit(bytes.toString("utf8", start));
    return Buffer.alloc(0);
  }
  return Buffer.from(bytes.subarray(start));
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Only an already closed descriptor fails to close; there is nothing left to release.
  }
}
