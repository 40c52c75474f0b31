/**
 * A process daemon's log file (SPEC §4): its stdout and stderr, line by line, each line stamped
 * with the time and the stream, rotated by size so that logs never fill the disk (pm2 5934).
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { DEFAULTS } from "../machines/defaults.ts";
import { LineSplitter } from "./line-splitter.ts";
import { rotatedFileOf } from "./log-files.ts";

/** The smallest `maxBytes` accepted: below it rotation would churn files for a few lines. */
export const MIN_LOG_MAX_BYTES = 1024;

// How often, by the writes' own timestamps, the log checks that its file is still at its path
// (someone deleted the folder or moved the file away): then it opens a new one.
const RECHECK_PATH_MS = 1000;
const NEWLINE = 0x0a;

export type LogStream = "stdout" | "stderr";

export interface RotatingLogOptions {
  /** The current log file, e.g. `logFileOf(stateDir, name)`; rotated files sit beside it. */
  file: string;
  /** Rotate before the current file would grow past this many bytes (at least 1024); default DEFAULTS.daemon.logs. */
  maxBytes?: number;
  /** Files kept in all, the current one included (at least 1; 1 means no rotated file); default DEFAULTS.daemon.logs. */
  maxFiles?: number;
  /**
   * Told about the first failure to write (disk full, folder deleted and not re-creatable) of
   * every run of failures; the log keeps going and tries to reopen the file on the next write.
   */
  onError?: (error: unknown) => void;
}

/**
 * Appends a daemon's output to `file` as `<ISO time> <stream> <line>` lines, rotating by size:
 * `name.log.k` becomes `name.log.k+1` (the oldest falls off) and `name.log` becomes `name.log.1`.
 * Writes are synchronous appends, one per chunk; a write never throws.
 *
 * @example
 * const log = new RotatingLog({ file: logFileOf(stateDir, "api"), maxBytes: 1_000_000 });
 * child.stdout.on("data", (chunk: Buffer) => log.write("stdout", chunk));
 * child.on("exit", (code) => { log.note(`exited with code ${code}`); log.close(); });
 */
export class RotatingLog {
  private readonly file: string;
  private readonly maxBytes: number;
  private readonly maxFiles: number;
  private readonly onError: ((error: unknown) => void) | undefined;
  private readonly lines: Record<LogStream, LineSplitter> = {
    stdout: new LineSplitter(),
    stderr: new LineSplitter(),
  };
  private fd: number | undefined;
  private inode = 0;
  private size = 0;
  private checkedAt = 0;
  private failing = false;
  private closed = false;

  constructor(options: RotatingLogOptions) {
    this.file = options.file;
    this.maxBytes = checkedMaxBytes(options);
    this.maxFiles = checkedMaxFiles(options);
    this.onError = options.onError;
  }

  /**
   * Appends the complete lines of `chunk` (partial lines wait for the rest), each as
   * `<ISO time> <stream> <line>\n`; a line is stamped with the time of the chunk that ends it.
   */
  write(stream: LogStream, chunk: Buffer | string, now: Date = new Date()): void {
    if (this.closed) return;
    this.append(stream, this.lines[stream].push(chunk), now);
  }

  /**
   * Writes one line that the manager itself adds (e.g. "exited with code 1"), stream "warden";
   * a multi-line text becomes several lines. Partial output lines stay buffered: `flush` first
   * to put them before the note.
   */
  note(text: string, now: Date = new Date()): void {
    if (this.closed) return;
    const lines = text.replace(/\r?\n$/, "").split(/\r?\n/);
    this.append(
      "warden",
      lines.map((line) => Buffer.from(line)),
      now,
    );
  }

  /** Writes the partial lines of both streams as they are, e.g. once the process has exited. */
  flush(now: Date = new Date()): void {
    if (this.closed) return;
    for (const stream of ["stdout", "stderr"] as const) {
      const rest = this.lines[stream].flush();
      if (rest) this.append(stream, [rest], now);
    }
  }

  /** Flushes partial lines of both streams and closes the file. Idempotent; later writes do nothing. */
  close(now: Date = new Date()): void {
    if (this.closed) return;
    this.flush(now);
    this.closed = true;
    this.closeFile();
  }

  private append(stream: LogStream | "warden", lines: readonly Buffer[], now: Date): void {
    if (lines.length === 0) return;
    const newline = Buffer.from([NEWLINE]);
    try {
      const prefix = Buffer.from(`${now.toISOString()} ${stream} `);
      this.ensureOpen(now.getTime());
      let batch: Buffer[] = [];
      let batchBytes = 0;
      for (const line of lines) {
        const bytes = prefix.length + line.length + 1;
        const pending = this.size + batchBytes;
        // A line longer than maxBytes still goes whole into a file of its own.
        if (pending > 0 && pending + bytes > this.maxBytes) {
          this.writeBatch(batch, batchBytes);
          batch = [];
          batchBytes = 0;
          this.rotate(now.getTime());
        }
        batch.push(prefix, line, newline);
        batchBytes += bytes;
      }
      this.writeBatch(batch, batchBytes);
      this.failing = false;
    } catch (error) {
      this.fail(error);
    }
  }

  private ensureOpen(now: number): void {
    if (this.fd !== undefined && now - this.checkedAt >= RECHECK_PATH_MS) {
      this.checkedAt = now;
      if (!this.stillAtPath()) this.closeFile();
    }
    if (this.fd === undefined) this.open(now);
  }

  private open(now: number): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const fd = openSync(this.file, "a", 0o600);
    try {
      const stats = fstatSync(fd);
      this.inode = stats.ino;
      this.size = stats.size;
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    this.fd = fd;
    this.checkedAt = now;
  }

  private stillAtPath(): boolean {
    try {
      return statSync(this.file).ino === this.inode;
    } catch {
      // Gone (or unreachable): reopening re-creates it, or fails and reports why.
      return false;
    }
  }

  private writeBatch(batch: readonly Buffer[], bytes: number): void {
    if (bytes === 0 || this.fd === undefined) return;
    const data = Buffer.concat(batch, bytes);
    let written = 0;
    while (written < data.length) written += writeSync(this.fd, data, written);
    this.size += bytes;
  }

  private rotate(now: number): void {
    this.closeFile();
    const existing = countRotatedFiles(this.file);
    // Files past the limit (left by a larger maxFiles before) go; the others shift by one.
    for (let index = existing; index >= this.maxFiles; index--) {
      unlinkIfPresent(rotatedFileOf(this.file, index));
    }
    for (let index = Math.min(existing, this.maxFiles - 2); index >= 1; index--) {
      renameIfPresent(rotatedFileOf(this.file, index), rotatedFileOf(this.file, index + 1));
    }
    if (this.maxFiles === 1) unlinkIfPresent(this.file);
    else renameIfPresent(this.file, rotatedFileOf(this.file, 1));
    this.open(now);
  }

  private fail(error: unknown): void {
    this.closeFile();
    if (this.failing) return;
    this.failing = true;
    try {
      this.onError?.(error);
    } catch {
      // The reporter's own failure must not turn a lost log line into a crash of the caller.
    }
  }

  private closeFile(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      closeSync(fd);
    } catch {
      // Closing can only fail for a descriptor that is already gone; nothing is left to release.
    }
  }
}

function checkedMaxBytes(options: RotatingLogOptions): number {
  const maxBytes = options.maxBytes ?? DEFAULTS.daemon.logs.maxBytes;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < MIN_LOG_MAX_BYTES) {
    throw new Error(
      `log ${options.file}: maxBytes must be an integer of at least ${MIN_LOG_MAX_BYTES}, got ${String(maxBytes)}`,
    );
  }
  return maxBytes;
}

function checkedMaxFiles(options: RotatingLogOptions): number {
  const maxFiles = options.maxFiles ?? DEFAULTS.daemon.logs.maxFiles;
  if (!Number.isSafeInteger(maxFiles) || maxFiles < 1) {
    throw new Error(
      `log ${options.file}: maxFiles must be an integer of at least 1 (the current file counts), got ${String(maxFiles)}`,
    );
  }
  return maxFiles;
}

/** The last index of the unbroken run `file.1`, `file.2`, … that exists. */
function countRotatedFiles(file: string): number {
  let count = 0;
  while (existsSync(rotatedFileOf(file, count + 1))) count++;
  return count;
}

function renameIfPresent(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}

function unlinkIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}
