/**
 * The journal's SQLite file (SPEC §5): `<stateDir>/journal.db`, opened with better-sqlite3 in
 * WAL mode with `synchronous` set explicitly on every open (SQLite does not remember it), and
 * its schema. Every failure to open or use it becomes a WardenError that names the file and says
 * what to do, never a stack trace: a corrupt file, a file that is not a database, a locked one,
 * a directory that cannot be written.
 *
 * The `inbox` table is the documented way in for other processes (docs/journal.md): they insert
 * a row and touch `journal.hint`; the CROSS_PROCESS_POLLER moves rows into `events`.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { WardenError, messageOf } from "../../machines/errors.ts";

export type JournalDatabase = BetterSqlite3.Database;

export const JOURNAL_FILE = "journal.db";
/** Touched by whoever appends to the inbox: wakes the poller without watching `-wal` files. */
export const JOURNAL_HINT_FILE = "journal.hint";

/** Bumped with every change of the tables below. */
const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY, id TEXT NOT NULL, type TEXT NOT NULL, source TEXT NOT NULL,
  time INTEGER NOT NULL, node TEXT, data TEXT
);
CREATE TABLE IF NOT EXISTS cursors (subscription TEXT PRIMARY KEY, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS inbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT, type TEXT NOT NULL,
  source TEXT NOT NULL DEFAULT 'external', time INTEGER, node TEXT, data TEXT
);
CREATE TABLE IF NOT EXISTS dead_letters (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, event TEXT NOT NULL, subscriber TEXT NOT NULL,
  error TEXT NOT NULL, attempts INTEGER NOT NULL, first_failed_at INTEGER NOT NULL,
  last_failed_at INTEGER NOT NULL, next_retry_at INTEGER, parked INTEGER NOT NULL DEFAULT 0
);
`;

export interface OpenJournalOptions {
  /** Read only: `warden events --since` and `warden dlq list` without a manager. */
  readonly?: boolean;
  /** How long a statement waits for another process's write lock. Default 5000 ms. */
  busyTimeoutMs?: number;
  /**
   * `NORMAL` (the default: in WAL mode a commit survives a crash of the process, and only a
   * power loss can take the last transactions) or `FULL` (each commit reaches the disk).
   */
  synchronous?: "NORMAL" | "FULL";
}

/** The journal file of a state directory. */
export function journalFile(stateDir: string): string {
  return join(stateDir, JOURNAL_FILE);
}

/**
 * Opens (creating if needed, unless read only) the journal at `file`, with its pragmas and schema.
 *
 * @example
 * const db = openJournalDatabase(journalFile(".warden"));
 */
export function openJournalDatabase(
  file: string,
  options: OpenJournalOptions = {},
): JournalDatabase {
  const Database = loadBetterSqlite3();
  let db: JournalDatabase | undefined;
  try {
    db = new Database(file, {
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
      timeout: options.busyTimeoutMs ?? 5000,
    });
    if (!options.readonly) {
      db.pragma("journal_mode = WAL");
      db.pragma(`synchronous = ${options.synchronous ?? "NORMAL"}`);
      migrate(db, file);
    } else {
      db.pragma(`synchronous = ${options.synchronous ?? "NORMAL"}`);
      // Reading a file nobody has created the schema in yet (an old or foreign file) says so.
      db.prepare("SELECT seq FROM events LIMIT 0").all();
    }
    return db;
  } catch (error) {
    db?.close();
    throw journalError(file, error);
  }
}

function migrate(db: JournalDatabase, file: string): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new WardenError(
      "WARDEN_ERR_JOURNAL",
      `journal ${file} has schema version ${version}, newer than this warden's ` +
        `${SCHEMA_VERSION}: use the warden that wrote it, or move the file away`,
    );
  }
  if (version === SCHEMA_VERSION) return;
  db.exec(`BEGIN; ${SCHEMA} PRAGMA user_version = ${SCHEMA_VERSION}; COMMIT;`);
}

/** SQLite's result codes, said for a person: what is wrong with the file and what to do. */
const ADVICE: Record<string, string> = {
  SQLITE_CORRUPT: "is corrupt: move it away to start with an empty journal",
  SQLITE_NOTADB: "is not a SQLite database: move it away to start with an empty journal",
  SQLITE_BUSY: "is locked by another process: stop it, or wait for it to finish",
  SQLITE_LOCKED: "is locked by another connection",
  SQLITE_CANTOPEN: "cannot be opened: check that the directory exists and may be written",
  SQLITE_READONLY: "cannot be written: check its owner and mode, and the file system",
  SQLITE_PERM: "cannot be written: check its owner and mode",
  SQLITE_FULL: "cannot grow: the disk is full",
  SQLITE_IOERR: "could not be read or written (an I/O error): check the disk",
};

/**
 * A WardenError naming the journal file, for any error SQLite or the addon raised on it;
 * a WardenError passes through.
 */
export function journalError(file: string, error: unknown): WardenError {
  if (error instanceof WardenError) return error;
  const code = String((error as { code?: unknown }).code ?? "");
  const family = Object.keys(ADVICE).find(
    (known) => code === known || code.startsWith(`${known}_`),
  );
  const said = family ? ADVICE[family]! : `failed: ${messageOf(error)}`;
  return new WardenError(
    "WARDEN_ERR_JOURNAL",
    `journal ${file} ${said}${code ? ` (${code})` : ""}`,
    { cause: error },
  );
}

/** better-sqlite3, loaded when a journal is opened: commands that never open one never pay for it. */
function loadBetterSqlite3(): typeof BetterSqlite3 {
  try {
    return createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
  } catch (error) {
    throw new WardenError(
      "WARDEN_ERR_JOURNAL",
      `the SQLite addon (better-sqlite3) could not be loaded: ${messageOf(error)}; ` +
        `reinstall warden so that npm builds it (npm 11: \`npm install-scripts approve better-sqlite3\`)`,
      { cause: error },
    );
  }
}
