import type { Envelope } from "../../machines/envelope.ts";
import { WardenError, messageOf } from "../../machines/errors.ts";
import type { CliIO } from "../io.ts";
import { locateManager, type ConnectionOptions } from "../locate-manager.ts";
import { ManagerClient } from "../manager-client.ts";

export interface EmitOptions extends ConnectionOptions {
  /** The event's data as JSON text. */
  data?: string;
  /** Print the whole envelope as JSON instead of its id. */
  json?: boolean;
}

/**
 * `warden emit <TYPE>`: publishes an event on the running manager's bus (`POST /v1/events`,
 * source `api`) and prints its id, or with `json` the envelope. `--data` that is not JSON exits
 * 2 naming the line and column, before anything is sent.
 *
 * @example
 * await emit("MODEL_SAVED", { data: '{"epoch":3}' }, io); // prints e.g. "1f3k-2a"
 */
export async function emit(type: string, options: EmitOptions, io: CliIO): Promise<void> {
  const data = options.data === undefined ? undefined : parseData(options.data);
  const client = new ManagerClient(await locateManager(options, io.cwd));
  const body = data === undefined ? { type } : { type, data };
  const envelope = await client.post<Envelope>("/v1/events", body);
  io.out(options.json === true ? JSON.stringify(envelope, null, 2) : envelope.id);
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
