import { DEFAULTS } from "../../machines/defaults.ts";
import type { Envelope } from "../../machines/envelope.ts";
import { messageOf } from "../../machines/errors.ts";
import { formatEvent } from "../format-event.ts";
import type { CliIO } from "../io.ts";
import { locateManager, locateStateDir, type ConnectionOptions } from "../locate-manager.ts";
import { ManagerClient, type ManagerStatus } from "../manager-client.ts";

/** Names are padded to at least this width, so lifecycle lines line up. */
const MIN_NAME_WIDTH = 12;

export interface EventsOptions extends ConnectionOptions {
  /** Keep printing new events until SIGINT/SIGTERM. */
  follow?: boolean;
  /** Only these types. */
  type?: string[];
  /**
   * How many recent events: by default the manager's `DEFAULTS.control.eventsLimit`, and with
   * `follow` `DEFAULTS.cli.followBacklog` (as `tail -f`); with `since`, from the journal,
   * `DEFAULTS.events.historyCapacity`.
   */
  limit?: number;
  /** Only events at or after this time (ms since the epoch; `--since`). */
  since?: number;
  /** One envelope per line as JSON (JSON Lines). */
  json?: boolean;
}

/** Events `--since` prints from the journal at most, whatever `--limit` says. */
export const MAX_JOURNAL_HISTORY = 100_000;

/** The events `--since` found in the journal; undefined when there is no journal. */
type JournalHistory = () => { events: Envelope[]; truncated: boolean } | undefined;

/**
 * `warden events`: the manager's recent events, oldest first, one line each (lifecycle events as
 * `warden up` prints them), or with `json` one envelope per line (docs/cli-json.md); `type`,
 * `limit` and `since` narrow them down. With `since` (and a configuration rather than `--url`)
 * the history comes from the journal (docs/journal.md), read here: it reaches back past manager
 * restarts and needs no running manager. `follow` then prints every new event until
 * SIGINT/SIGTERM, through the manager.
 *
 * @example
 * await events({ follow: true, type: ["MODEL_SAVED"] }, io);
 */
export async function events(options: EventsOptions, io: CliIO): Promise<void> {
  const history = await journalHistory(options, io);
  if (history !== undefined && options.follow !== true) {
    const found = history();
    if (found !== undefined) {
      printHistory(found, options, io);
      return;
    }
  }
  const client = new ManagerClient(await locateManager(options, io.cwd));
  if (options.follow === true) return follow(client, options, io, history);
  const query = queryOf(options, managerLimit(options.limit) ?? sinceWindow(options));
  const { events: all } = await client.get<{ events: Envelope[] }>(`/v1/events${query}`);
  const recent = all.filter((event) => isRecent(event, options));
  const width = Math.max(MIN_NAME_WIDTH, ...recent.map((event) => daemonOf(event).length));
  for (const event of recent) io.out(lineOf(event, options, io, width));
}

/** With `--since` and a configuration: the journal's history, read when called. */
async function journalHistory(
  options: EventsOptions,
  io: CliIO,
): Promise<JournalHistory | undefined> {
  const since = options.since;
  if (since === undefined || options.url !== undefined) return undefined;
  const stateDir = await locateStateDir(options, io.cwd);
  // SQLite is loaded only for --since.
  const { readJournalHistory } = await import("../../runtime/journal/journal-history.ts");
  const limit = Math.min(options.limit ?? DEFAULTS.events.historyCapacity, MAX_JOURNAL_HISTORY);
  return () => readJournalHistory(stateDir, { since, types: options.type ?? [], limit });
}

function printHistory(
  history: { events: Envelope[]; truncated: boolean },
  options: EventsOptions,
  io: CliIO,
  width = Math.max(MIN_NAME_WIDTH, ...history.events.map((event) => daemonOf(event).length)),
): Set<string> {
  if (history.truncated) {
    io.err(
      `warden: only the newest ${history.events.length} matching events are shown; ` +
        `narrow --since or --type, or raise --limit (at most ${MAX_JOURNAL_HISTORY})`,
    );
  }
  for (const event of history.events) io.out(lineOf(event, options, io, width));
  return new Set(history.events.map((event) => event.id));
}

async function follow(
  client: ManagerClient,
  options: EventsOptions,
  io: CliIO,
  history: JournalHistory | undefined,
): Promise<void> {
  const stop = new AbortController();
  io.onShutdownSignal(() => stop.abort());
  const { daemons } = await client.get<ManagerStatus>("/v1/status");
  const width = Math.max(MIN_NAME_WIDTH, ...daemons.map((daemon) => daemon.name.length));
  // From the journal, the backlog is read once the stream is open: nothing falls between, and
  // what both carry is printed once.
  const backlog =
    history !== undefined
      ? 0
      : (managerLimit(options.limit) ?? sinceWindow(options) ?? DEFAULTS.cli.followBacklog);
  let printed = new Set<string>();
  const query = queryOf(options, backlog, true);
  await client.follow(
    `/v1/events${query}`,
    (message) => {
      let event: Envelope;
      try {
        event = JSON.parse(message.data) as Envelope;
      } catch (error) {
        io.err(`warden: skipping an event that is not JSON (${messageOf(error)}): ${message.data}`);
        return;
      }
      if (printed.has(event.id)) return;
      if (isRecent(event, options)) io.out(lineOf(event, options, io, width));
    },
    {
      signal: stop.signal,
      onOpen: () => {
        io.err(`warden: following events of ${client.target.url} (Ctrl-C to stop)`);
        const found = history?.();
        if (found !== undefined) printed = printHistory(found, options, io, width);
      },
    },
  );
}

/** The manager keeps `DEFAULTS.events.historyCapacity` events: it is asked for no more. */
function managerLimit(limit: number | undefined): number | undefined {
  return limit === undefined ? undefined : Math.min(limit, DEFAULTS.events.historyCapacity);
}

/** With `--since` and no `--limit`, every event the manager keeps is looked at. */
function sinceWindow(options: EventsOptions): number | undefined {
  return options.since === undefined ? undefined : DEFAULTS.events.historyCapacity;
}

function isRecent(event: Envelope, options: EventsOptions): boolean {
  return options.since === undefined || event.time >= options.since;
}

function queryOf(options: EventsOptions, limit: number | undefined, follow = false): string {
  const query = new URLSearchParams();
  if (follow) query.set("follow", "true");
  for (const type of options.type ?? []) query.append("type", type);
  if (limit !== undefined) query.set("limit", String(limit));
  const text = query.toString();
  return text === "" ? "" : `?${text}`;
}

function lineOf(event: Envelope, options: EventsOptions, io: CliIO, width: number): string {
  return options.json === true ? JSON.stringify(event) : formatEvent(event, io.color, width);
}

function daemonOf(event: Envelope): string {
  const daemon = (event.data as { daemon?: unknown } | null | undefined)?.daemon;
  return typeof daemon === "string" ? daemon : "";
}
