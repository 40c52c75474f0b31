/**
 * A directory only we can use, for sockets that must not be reachable by other users: the notify
 * sockets live in `<stateDir>/run` or, when that path is too long for a Unix socket, in
 * `/tmp/warden-<hash>`, a name anyone can guess and create first. A directory that another user
 * owns, that others may enter or write, or that is a symbolic link is refused, never used.
 */
import { chmodSync, lstatSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";

/** The mode we create it with and require: owner only. */
const PRIVATE_MODE = 0o700;

/** A directory that is not safe for our sockets; the message names it and why. */
export class UnsafeDirectoryError extends Error {
  readonly code = "WARDEN_UNSAFE_DIRECTORY";

  constructor(
    readonly directory: string,
    reason: string,
  ) {
    super(
      `refusing the directory ${directory} for notify sockets: ${reason}; ` +
        `remove it (or give the configuration a shorter stateDir) and start again`,
    );
    this.name = "UnsafeDirectoryError";
  }
}

export interface PrivateDirectoryOptions {
  /** Who must own it; default the user this process runs as. */
  uid?: number;
}

/**
 * Creates `directory` (and missing parents) with mode 0700, or checks the one that exists: a
 * real directory, owned by `uid`, with no permissions for group or others. Throws
 * UnsafeDirectoryError otherwise.
 *
 * @example
 * ensurePrivateDirectory("/tmp/warden-3f2a9c0d1e4b5a69"); // then listen on a socket inside
 */
export function ensurePrivateDirectory(
  directory: string,
  options: PrivateDirectoryOptions = {},
): void {
  if (lstatSync(directory, { throwIfNoEntry: false }) === undefined) create(directory);
  const stat = lstatSync(directory);
  if (stat.isSymbolicLink()) throw new UnsafeDirectoryError(directory, "it is a symbolic link");
  if (!stat.isDirectory()) throw new UnsafeDirectoryError(directory, "it is not a directory");
  const uid = options.uid ?? process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    throw new UnsafeDirectoryError(
      directory,
      `it is owned by uid ${stat.uid}, not by us (uid ${uid})`,
    );
  }
  if ((stat.mode & 0o077) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(3, "0");
    throw new UnsafeDirectoryError(
      directory,
      `its mode is ${mode}: group or others may use it (it must be 700)`,
    );
  }
}

function create(directory: string): void {
  mkdirSync(dirname(directory), { recursive: true, mode: PRIVATE_MODE });
  try {
    mkdirSync(directory, { mode: PRIVATE_MODE });
  } catch (error) {
    // Someone made it in between: the checks that follow decide whether it will do.
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return;
    throw error;
  }
  // The umask may have taken bits away from the mode; put them back.
  chmodSync(directory, PRIVATE_MODE);
}
