import type { Envelope } from "../../machines/envelope.ts";
import { WardenError, isWardenError, messageOf } from "../../machines/errors.ts";
import type { CliIO } from "../io.ts";
import {
  MANAGER_STARTING,
  locateManager,
  locateStateDir,
  type ConnectionOptions,
} from "../locate-manager.ts";
import { ManagerClient } from "../manager-client.ts";
import { shownPath } from "../shown-path.ts";

export interface EmitOptions extends ConnectionOptions {
  /** The event's data as JSON text. */
  data?: string;
  /** Print the whole envelope as JSON instead of its id. */
  json?: boolean;
}

/** `source` of the events `warden emit` publishes, whichever way: as the control API's. */
const EMIT_SOURCE = "api";

/**
 * `warden emit <TYPE>`: publishes an event and prints its id, or with `json` the envelope, once
 * it is journaled (SPEC §5): through the running manager (`POST /v1/events`, which answers once
 * the event is journaled), or, when no manager answers, by appending it to the journal's inbox
 * itself (runtime/journal/inbox.ts), for the next manager to deliver — saying so on stderr.
 * A manager that answers with an error is that error: nothing is appended then. `--data` that
 * is not JSON exits 2 naming the line and column, before anything is sent.
 *
 * @example
 * await emit("MODEL_SAVED", { data: '{"epoch":3}' }, io); // prints e.g. "1f3k-2a"
 */
export async function emit(type: string, options: EmitOptions, io: CliIO): Promise<void> {
  const data = options.data === undefined ? undefined : parseData(options.data);
  let envelope: Envelope;
  try {
    const client = new ManagerClient(await locateManager(options, io.cwd));
    const body = data === undefined ? { type } : { type, data };
    envelope = await client.post<Envelope>("/v1/events", body);
  } catch (error) {
    if (!noManagerAnswers(error, options)) throw error;
    envelope = await appendWithoutManager(type, data, options, io, error);
  }
  io.out(options.json === true ? JSON.stringify(envelope, null, 2) : envelope.id);
}

/**
 * Nothing listens for the configuration's manager, or one holds the state directory and is still
 * starting (it will deliver the inbox once its poller runs). Not with `--url`: that names a
 * manager, maybe on another machine, whose journal is not here.
 */
function noManagerAnswers(error: unknown, options: EmitOptions): boolean {
  if (options.url !== undefined) return false;
  return (
    isWardenError(error, "WARDEN_ERR_NOT_RUNNING") ||
    (isWardenError(error, "WARDEN_ERR_CONTROL_API") && error.cause === MANAGER_STARTING)
  );
}

async function appendWithoutManager(
  type: string,
  data: unknown,
  options: EmitOptions,
  io: CliIO,
  why: unknown,
): Promise<Envelope> {
  const stateDir = await locateStateDir(options, io.cwd);
  // SQLite is loaded only here: a manager that answers costs the command none of it.
  const { appendToInbox, journalFile } = await import("../../runtime/journal/inbox.ts");
  const envelope = appendToInbox(stateDir, { type, data, source: EMIT_SOURCE });
  const starting = isWardenError(why, "WARDEN_ERR_CONTROL_API");
  io.err(
    `warden: ${starting ? "the manager is starting" : "no manager is running"}: ` +
      `${type} is journaled in ${shownPath(journalFile(stateDir), io.cwd)} and will be delivered ` +
      `when ${starting ? "it runs" : "a manager next runs"}`,
  );
  return envelope;
}

function parseData(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const at = errorOffset(text);
    const { line, column } = lineColumn(text, at);
    const lineText = text.split(/\r?\n/)[line - 1] ?? "";
    throw new WardenError(
      "WARDEN_ERR_USAGE",
      `--data is not valid JSON: ${reasonOf(error)} at line ${line}, column ${column}`,
      { cause: error, details: [lineText, `${" ".repeat(column - 1)}^`] },
    );
  }
}

/**
 * Where the JSON goes wrong: the end of the longest prefix that some valid JSON text could
 * start with. V8 names a position for some errors only, so the prefix is found by bisection:
 * a prefix that is already wrong stays wrong however it continues.
 */
function errorOffset(text: string): number {
  if (!isWrongPrefix(text)) return text.length;
  let good = 0; // a prefix of this length is fine
  let bad = text.length; // a prefix of this length is wrong
  while (bad - good > 1) {
    const middle = Math.floor((good + bad) / 2);
    if (isWrongPrefix(text.slice(0, middle))) bad = middle;
    else good = middle;
  }
  return good;
}

function isWrongPrefix(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return false;
  } catch (error) {
    // Errors at the very end (an unfinished string, number or object) only want more text.
    const message = messageOf(error);
    const position = /at position (\d+)/.exec(message)?.[1];
    if (position !== undefined) return Number(position) < prefix.length;
    return !message.includes("Unexpected end of JSON input");
  }
}

function reasonOf(error: unknown): string {
  return messageOf(error)
    .replace(/ in JSON at position \d+.*$/s, "")
    .replace(/, ".*" is not valid JSON$/s, "");
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}
