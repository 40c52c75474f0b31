import { InvalidArgumentError, type Command } from "commander";
import type { DeadLetter } from "../../runtime/bus/dead-letter-queue.ts";
import { WardenError, isWardenError } from "../../machines/errors.ts";
import type { CliIO } from "../io.ts";
import { dlqSummary, dlqTable } from "../dlq-table.ts";
import { locateManager, locateStateDir, type ConnectionOptions } from "../locate-manager.ts";
import { ManagerClient, addConnectionOptions } from "../manager-client.ts";
import { shownPath } from "../shown-path.ts";

/** Entries `warden dlq list` asks for without `--limit` (the API's own default). */
const DEFAULT_LIST_LIMIT = 1000;
/** The most `--limit` may ask for (the API's maximum). */
const MAX_LIST_LIMIT = 100_000;

export interface DlqListOptions extends ConnectionOptions {
  /** Only entries whose event has one of these types. */
  type?: string[];
  limit?: number;
  json?: boolean;
}

export interface DlqActOptions extends ConnectionOptions {
  all?: boolean;
  json?: boolean;
}

/** The answer of `GET /v1/dlq` (docs/control-api.md). */
export interface DlqListing {
  entries: DeadLetter[];
  /** Entries that match, beyond `limit` too, and how many of those are parked. */
  total: number;
  parked: number;
  /** Entries the manager's queue dropped to stay within its bounds. */
  evicted?: number;
}

/**
 * Adds `warden dlq list|retry|purge` (SPEC §5), which talk to the running manager's control API.
 *
 * @example
 * registerDlqCommands(program, io);
 */
export function registerDlqCommands(program: Command, io: CliIO): void {
  const dlq = program
    .command("dlq")
    .description("show, retry or purge the dead-letter queue: deliveries whose subscriber threw");
  addConnectionOptions(
    dlq
      .command("list")
      .description("list the dead letters, oldest first (read from the journal if no manager runs)")
      .option("--type <type>", "only events of this type (repeatable, or comma-separated)", types)
      .option(
        "-n, --limit <count>",
        `show at most this many (default ${DEFAULT_LIST_LIMIT})`,
        limitArgument,
      )
      .option("--json", "print the entries as a JSON array"),
  ).action(async (options: DlqListOptions) => dlqList(options, io));
  for (const action of ["retry", "purge"] as const) {
    addConnectionOptions(
      dlq
        .command(action)
        .description(
          action === "retry"
            ? "deliver dead letters again now, each with a fresh series of attempts (parked ones too)"
            : "drop dead letters for good",
        )
        .argument("[ids...]", "the dead letters' ids, as `warden dlq list` shows them")
        .option("--all", `${action} every dead letter`)
        .option("--json", `print {"${action === "retry" ? "retried" : "purged"}": [ids]}`),
    ).action(async (ids: string[], options: DlqActOptions) => dlqAct(action, ids, options, io));
  }
}

/**
 * `warden dlq list`: the running manager's dead letters as a table (or with `json` a JSON
 * array of SPEC §5 entries). When no manager runs, the entries the journal holds, saying so on
 * stderr; exit 3 only when there is no journal either.
 *
 * @example
 * await dlqList({ type: ["JOB"], json: true }, io);
 */
export async function dlqList(options: DlqListOptions, io: CliIO): Promise<void> {
  const query = new URLSearchParams();
  for (const type of options.type ?? []) query.append("type", type);
  query.set("limit", String(options.limit ?? DEFAULT_LIST_LIMIT));
  let listing: DlqListing;
  try {
    const client = new ManagerClient(await locateManager(options, io.cwd));
    listing = await client.get<DlqListing>(`/v1/dlq?${query}`);
  } catch (error) {
    if (options.url !== undefined || !isWardenError(error, "WARDEN_ERR_NOT_RUNNING")) throw error;
    listing = await listFromJournal(options, io, error);
  }
  if (options.json === true) {
    io.out(JSON.stringify(listing.entries, null, 2));
    if (listing.total > listing.entries.length) io.err(`warden: ${summaryOf(listing)}`);
    return;
  }
  if (listing.entries.length > 0) {
    const columns = io.columns?.();
    for (const line of dlqTable(listing.entries, { now: Date.now(), color: io.color, columns })) {
      io.out(line);
    }
  }
  io.out(summaryOf(listing));
}

/**
 * `warden dlq retry|purge [ID...|--all]`: asks the manager to retry (due now, attempts from 0)
 * or drop the named entries, or all of them; prints what it did. An id the manager does not
 * hold exits 2 and nothing is done.
 *
 * @example
 * await dlqAct("retry", ["dl-3"], {}, io); // "retried 1 dead letter: dl-3"
 */
export async function dlqAct(
  action: "retry" | "purge",
  ids: readonly string[],
  options: DlqActOptions,
  io: CliIO,
): Promise<void> {
  if (ids.length > 0 === (options.all === true)) {
    throw new WardenError(
      "WARDEN_ERR_USAGE",
      `warden dlq ${action}: name the dead letters (ids from \`warden dlq list\`) or give --all, not ${ids.length > 0 ? "both" : "neither"}`,
    );
  }
  const client = new ManagerClient(await locateManager(options, io.cwd));
  const body = options.all === true ? { all: true } : { ids: [...new Set(ids)] };
  const key = action === "retry" ? "retried" : "purged";
  const answer = await client.post<Record<string, string[]>>(`/v1/dlq/${action}`, body);
  const done = answer[key] ?? [];
  if (options.json === true) {
    io.out(JSON.stringify({ [key]: done }, null, 2));
    return;
  }
  const noun = done.length === 1 ? "dead letter" : "dead letters";
  io.out(`${key} ${done.length} ${noun}${done.length > 0 ? `: ${shortList(done)}` : ""}`);
}

/** What the journal holds, when no manager runs; the not-running error when there is none. */
async function listFromJournal(
  options: DlqListOptions,
  io: CliIO,
  notRunning: WardenError,
): Promise<DlqListing> {
  const stateDir = await locateStateDir(options, io.cwd);
  // SQLite is loaded only here: a manager that answers costs the command none of it.
  const { journalFile, openJournalDatabase } = await import("../../runtime/journal/journal-db.ts");
  const { readDeadLetters } = await import("../../runtime/journal/dead-letter-rows.ts");
  const file = journalFile(stateDir);
  let entries: DeadLetter[];
  try {
    const db = openJournalDatabase(file, { readonly: true });
    try {
      entries = readDeadLetters(db, { types: options.type ?? [] });
    } finally {
      db.close();
    }
  } catch (error) {
    // No journal (or none that can be read): nothing but the manager could have said more.
    if (isWardenError(error, "WARDEN_ERR_JOURNAL")) throw notRunning;
    throw error;
  }
  io.err(
    `warden: no manager is running; dead letters as ${shownPath(file, io.cwd)} holds them ` +
      `(retried when a manager next runs)`,
  );
  const limit = options.limit ?? DEFAULT_LIST_LIMIT;
  const parked = entries.filter((letter) => letter.parked).length;
  return { entries: entries.slice(0, limit), total: entries.length, parked };
}

function summaryOf(listing: DlqListing): string {
  return dlqSummary(listing.entries.length, listing.parked, listing.total);
}

function shortList(ids: readonly string[]): string {
  return ids.length <= 10 ? ids.join(", ") : `${ids.slice(0, 10).join(", ")}, …`;
}

function types(value: string, previous: string[] | undefined): string[] {
  const found = value
    .split(",")
    .map((type) => type.trim())
    .filter((type) => type.length > 0);
  return [...(previous ?? []), ...found];
}

function limitArgument(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || number < 1 || number > MAX_LIST_LIMIT) {
    throw new InvalidArgumentError(`expected an integer from 1 to ${MAX_LIST_LIMIT}.`);
  }
  return number;
}
