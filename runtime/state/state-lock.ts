/**
 * One manager per state directory (SPEC §13): an exclusive lock taken atomically before anything
 * starts. On Linux the lock is a listening Unix socket in the abstract namespace, named after the
 * state directory's real path: the kernel grants the name to one process only, frees it when that
 * process dies however it dies (SIGKILL included, so there is never a stale lock to judge), and it
 * does not live in the file system, so deleting the state directory cannot release it. Whoever
 * asks while it is held connects to it and learns who holds it. `<stateDir>/warden.lock` records
 * the holder (pid, start time) for people and for systems without abstract sockets, where the
 * file itself is the lock (created with O_EXCL; a file whose pid is dead or whose start time does
 * not match is stale and replaced, a live one never is).
 */
import { createHash } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, realpathSync, writeSync } from "node:fs";
import { unlinkSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { join } from "node:path";
import { processStartTime } from "../../actors/process-groups.ts";
import { WardenError, messageOf } from "../../machines/errors.ts";
import { jsonRecord } from "./json-record.ts";

export const LOCK_FILE = "warden.lock";

/** Who holds a state directory. */
export interface LockHolder {
  pid: number;
  /** The holder's process start time as the OS reports it: tells a reused pid apart. */
  startTime?: string;
  /** ISO 8601. */
  startedAt: string;
  /** The absolute path of the holder's configuration file. */
  config?: string;
}

export interface StateLock {
  readonly stateDir: string;
  readonly holder: LockHolder;
  /** Writes `warden.lock` again (after the state directory was deleted and re-created). */
  rewrite(): void;
  release(): Promise<void>;
}

/** How long a contender waits for the holder to say who it is. */
const ASK_HOLDER_MS = 2000;
/** The holder answers a handful of askers at once; more are hung up on. */
const MAX_ASKERS = 8;

/**
 * Takes the lock of `stateDir` (created, mode 0700) or throws WARDEN_ERR_ALREADY_RUNNING naming
 * the holder. Exactly one of any number of simultaneous callers wins.
 *
 * @example
 * const lock = await acquireStateLock("/srv/app/.warden", { config: "/srv/app/warden.config.ts" });
 * // … run the manager …
 * await lock.release();
 */
export async function acquireStateLock(
  stateDir: string,
  about: { config?: string } = {},
): Promise<StateLock> {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const real = realpathSync(stateDir);
  const startTime = processStartTime(process.pid);
  const holder: LockHolder = {
    pid: process.pid,
    ...(startTime === undefined ? {} : { startTime }),
    startedAt: new Date().toISOString(),
    ...(about.config === undefined ? {} : { config: about.config }),
  };
  if (process.platform !== "linux") return fileLock(stateDir, real, holder);
  const server = await listenAbstract(abstractName(real), holder).catch(async (error) => {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    throw alreadyRunning(real, await askHolder(abstractName(real)));
  });
  const recorded = readLockFile(stateDir);
  if (recorded && recorded.pid !== process.pid && holderAlive(recorded)) {
    // Held through the file by a manager that cannot see our socket (another network namespace).
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw alreadyRunning(real, recorded);
  }
  const lock: StateLock = {
    stateDir,
    holder,
    rewrite: () => writeLockFile(stateDir, holder),
    release: async () => {
      removeLockFile(stateDir, holder.pid);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  try {
    lock.rewrite();
  } catch (error) {
    await lock.release();
    throw new WardenError(
      "WARDEN_ERR_CONFIG",
      `cannot write ${join(real, LOCK_FILE)}: ${messageOf(error)}`,
    );
  }
  return lock;
}

/** The abstract socket name of a state directory (one per real path). */
export function abstractName(realStateDir: string): string {
  const hash = createHash("sha256").update(realStateDir).digest("hex").slice(0, 32);
  return `\0warden-lock-${hash}`;
}

function listenAbstract(name: string, holder: LockHolder): Promise<Server> {
  const answer = `${JSON.stringify(holder)}\n`;
  let askers = 0;
  const server = createServer((socket) => {
    askers++;
    socket.on("close", () => askers--);
    socket.on("error", () => socket.destroy());
    socket.setTimeout(ASK_HOLDER_MS, () => socket.destroy());
    if (askers > MAX_ASKERS) socket.destroy();
    else socket.end(answer);
  });
  return new Promise<Server>((resolve, reject) => {
    server.once("error", reject);
    server.listen(name, () => {
      server.off("error", reject);
      server.on("error", () => {});
      // The lock must never keep a finished manager alive.
      server.unref();
      resolve(server);
    });
  });
}

/** What the holder of `name` says about itself; undefined when it does not answer. */
function askHolder(name: string): Promise<LockHolder | undefined> {
  return new Promise((resolve) => {
    let text = "";
    const socket = connect(name);
    const done = (holder: LockHolder | undefined) => {
      socket.destroy();
      resolve(holder);
    };
    socket.setEncoding("utf8");
    socket.setTimeout(ASK_HOLDER_MS, () => done(undefined));
    socket.on("data", (chunk: string) => {
      text += chunk;
      if (text.length > 4096) done(undefined);
    });
    socket.on("end", () => done(parseHolder(text)));
    socket.on("error", () => done(undefined));
  });
}

function alreadyRunning(stateDir: string, holder: LockHolder | undefined): WardenError {
  const who = holder
    ? `a manager (pid ${holder.pid}, started ${holder.startedAt}${holder.config ? `, config ${holder.config}` : ""})`
    : "another process";
  return new WardenError(
    "WARDEN_ERR_ALREADY_RUNNING",
    `${who} already runs on the state directory ${stateDir}; stop it first, or give this configuration another stateDir`,
  );
}

/** Systems without abstract sockets: the file is the lock. */
function fileLock(stateDir: string, real: string, holder: LockHolder): StateLock {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createLockFile(stateDir, holder)) {
      return {
        stateDir,
        holder,
        rewrite: () => writeLockFile(stateDir, holder),
        release: async () => removeLockFile(stateDir, holder.pid),
      };
    }
    const current = readLockFile(stateDir);
    if (current && holderAlive(current)) throw alreadyRunning(real, current);
    // Stale (its process is gone): removed, then the exclusive create decides again.
    removeLockFile(stateDir, current?.pid);
  }
  throw alreadyRunning(real, readLockFile(stateDir));
}

function createLockFile(stateDir: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(join(stateDir, LOCK_FILE), "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    writeSync(fd, `${JSON.stringify(holder, null, 2)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

function writeLockFile(stateDir: string, holder: LockHolder): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = join(stateDir, LOCK_FILE);
  const current = readLockFile(stateDir);
  if (current?.pid === holder.pid && current.startedAt === holder.startedAt) return;
  const fd = openSync(file, "w", 0o600);
  try {
    writeSync(fd, `${JSON.stringify(holder, null, 2)}\n`);
  } finally {
    closeSync(fd);
  }
}

/**
 * The holder recorded in `<stateDir>/warden.lock`, when the file is there and valid.
 *
 * @example
 * readLockFile(".warden")?.pid; // 41233
 */
export function readLockFile(stateDir: string): LockHolder | undefined {
  try {
    return parseHolder(readFileSync(join(stateDir, LOCK_FILE), "utf8").slice(0, 4096));
  } catch {
    // Missing or unreadable: no holder on record.
    return undefined;
  }
}

/**
 * The manager `<stateDir>/warden.lock` names, if that very process still runs.
 *
 * @example
 * liveLockHolder(".warden")?.pid; // 41233, or undefined when no manager holds it
 */
export function liveLockHolder(stateDir: string): LockHolder | undefined {
  const holder = readLockFile(stateDir);
  return holder && holderAlive(holder) ? holder : undefined;
}

function removeLockFile(stateDir: string, pid: number | undefined): void {
  if (pid !== undefined && readLockFile(stateDir)?.pid !== pid) return;
  try {
    unlinkSync(join(stateDir, LOCK_FILE));
  } catch {
    // Gone already, or the directory is read-only: a lock file names a dead pid, which is stale.
  }
}

/** Alive, and the same process (not a reused pid): the start times agree. */
function holderAlive(holder: LockHolder): boolean {
  const startTime = processStartTime(holder.pid);
  if (startTime === undefined) return false;
  return holder.startTime === undefined || holder.startTime === startTime;
}

function parseHolder(text: string): LockHolder | undefined {
  const record = jsonRecord(text);
  if (record === undefined) return undefined;
  const { pid, startTime, startedAt, config } = record;
  if (!Number.isSafeInteger(pid) || (pid as number) < 1 || typeof startedAt !== "string") {
    return undefined;
  }
  return {
    pid: pid as number,
    startedAt,
    ...(typeof startTime === "string" ? { startTime } : {}),
    ...(typeof config === "string" ? { config } : {}),
  };
}
