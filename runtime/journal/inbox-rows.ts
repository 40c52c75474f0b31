/**
 * The rows of the journal's `inbox` table (docs/journal.md), as the CROSS_PROCESS_POLLER reads
 * them: anything may have written them — a script in any language, an older warden, a typo —
 * so every field is checked, and a row that is not a valid event says why instead of stopping
 * the poller. The same bounds hold for `appendToInbox`, which checks before it writes.
 *
 * The select reads no field over its bound: a row with 50 MB of `data` costs its length, not
 * its bytes, to be rejected.
 */
import { eventFromJson } from "../../actors/notify-message.ts";
import type { Envelope } from "../../machines/envelope.ts";
import { messageOf } from "../../machines/errors.ts";

/** The bounds of an inbox row, in UTF-8 bytes for `data`, in characters for the others. */
export const INBOX_LIMITS = {
  /** As `EVENT=` and `POST /v1/events` (actors/notify-message.ts). */
  typeLength: 200,
  sourceLength: 200,
  idLength: 200,
  nodeLength: 200,
  /** The event's data as JSON text. */
  dataBytes: 1024 * 1024,
} as const;

/** `source` of an inbox row that names none (the column's default). */
export const INBOX_DEFAULT_SOURCE = "external";

/** The latest time an event may claim, ms since the epoch (JavaScript's last date). */
const MAX_TIME = 8.64e15;

/** Bytes read of a text column at most: beyond any bound in characters (4 bytes each) above. */
const TEXT_READ_BYTES = 4 * 256;

const boundedText = (column: string, bytes: number): string =>
  `typeof(${column}) AS ${column}_type, length(CAST(${column} AS BLOB)) AS ${column}_bytes, ` +
  `CASE WHEN length(CAST(${column} AS BLOB)) <= ${bytes} THEN ${column} END AS ${column}`;

/** The oldest `?` rows of the inbox, every field bounded (see {@link RawInboxRow}). */
export const SELECT_INBOX_ROWS =
  `SELECT seq, ${boundedText("id", TEXT_READ_BYTES)}, ${boundedText("type", TEXT_READ_BYTES)}, ` +
  `${boundedText("source", TEXT_READ_BYTES)}, typeof(time) AS time_type, ` +
  `CASE WHEN typeof(time) IN ('integer', 'real') THEN time END AS time, ` +
  `${boundedText("node", TEXT_READ_BYTES)}, ${boundedText("data", INBOX_LIMITS.dataBytes)} ` +
  `FROM inbox ORDER BY seq LIMIT ?`;

type Column = "id" | "type" | "source" | "node" | "data";
type Bounded = { [K in Column]: unknown } & {
  [K in `${Column}_type` | `${Column}_bytes`]: unknown;
};

/** A row as {@link SELECT_INBOX_ROWS} reads it: a value over its bound is null, its size kept. */
export interface RawInboxRow extends Bounded {
  seq: number;
  time_type: string;
  time: number | null;
}

/** What an inbox row becomes: an envelope and its data as JSON text, or why it cannot be one. */
export type InboxRowResult =
  { ok: true; envelope: Envelope; data: string } | { ok: false; reason: string };

/**
 * The envelope an inbox row holds: its `id` or `makeId()`, its `time` or `now`, its `source`
 * or `external`, `data` null when it has none.
 *
 * @example
 * envelopeOfInboxRow(row, Date.now(), randomUUID);
 * // { ok: true, envelope: { id, type: "MODEL_SAVED", source: "trainer.py", time, data: {…} }, data: '{…}' }
 * // { ok: false, reason: "data is not JSON (Unexpected token …)" }
 */
export function envelopeOfInboxRow(
  row: RawInboxRow,
  now: number,
  makeId: () => string,
): InboxRowResult {
  const type = textOf(row, "type", INBOX_LIMITS.typeLength);
  if (typeof type !== "string") return { ok: false, reason: type?.reason ?? "type is missing" };
  const checked = eventFromJson({ type }, "");
  if (!checked.ok) return { ok: false, reason: checked.error };
  const source = textOf(row, "source", INBOX_LIMITS.sourceLength) ?? INBOX_DEFAULT_SOURCE;
  if (typeof source !== "string") return source;
  const id = row.id_type === "integer" ? String(row.id) : textOf(row, "id", INBOX_LIMITS.idLength);
  if (id !== undefined && typeof id !== "string") return id;
  const node = textOf(row, "node", INBOX_LIMITS.nodeLength);
  if (node !== undefined && typeof node !== "string") return node;
  const time = timeOf(row, now);
  if (typeof time !== "number") return time;
  const data = dataOf(row);
  if (!data.ok) return data;
  const envelope: Envelope = { id: id ?? makeId(), type, source, time, data: data.value };
  if (node !== undefined) envelope.node = node;
  return { ok: true, envelope, data: data.text };
}

type Failure = { ok: false; reason: string };

/** A text column: undefined when NULL, a failure when not text (UTF-8 blobs count) or too long. */
function textOf(row: RawInboxRow, column: Column, maxLength: number): string | undefined | Failure {
  const storage = row[`${column}_type`];
  if (storage === "null") return undefined;
  if (storage !== "text" && storage !== "blob") {
    return { ok: false, reason: `${column} is ${String(storage)}, not text` };
  }
  const value = row[column];
  if (value === null) {
    return { ok: false, reason: `${column} is ${Number(row[`${column}_bytes`])} bytes long` };
  }
  const text = typeof value === "string" ? value : utf8(value as Uint8Array);
  if (text === undefined) return { ok: false, reason: `${column} is a blob that is not UTF-8` };
  const length = text.length > maxLength ? [...text].length : text.length;
  if (length > maxLength) {
    return { ok: false, reason: `${column} is ${length} characters long, at most ${maxLength}` };
  }
  if (length === 0) return { ok: false, reason: `${column} is empty` };
  if (/\p{Cc}/u.test(text)) {
    return { ok: false, reason: `${column} contains control characters` };
  }
  return text;
}

function timeOf(row: RawInboxRow, now: number): number | Failure {
  if (row.time_type === "null") return now;
  const time = row.time;
  if (time === null)
    return { ok: false, reason: `time is ${row.time_type}, not ms since the epoch` };
  if (!Number.isFinite(time) || time < 0 || time > MAX_TIME) {
    return { ok: false, reason: `time ${time} is not ms since the epoch` };
  }
  return Math.trunc(time);
}

function dataOf(row: RawInboxRow): { ok: true; value: unknown; text: string } | Failure {
  if (row.data_type === "null") return { ok: true, value: null, text: "null" };
  const bytes = Number(row.data_bytes);
  if (row.data === null || bytes > INBOX_LIMITS.dataBytes) {
    return { ok: false, reason: `data is ${bytes} bytes, at most ${INBOX_LIMITS.dataBytes}` };
  }
  if (row.data_type !== "text" && row.data_type !== "blob") {
    return { ok: false, reason: `data is ${String(row.data_type)}, not JSON text` };
  }
  const text = typeof row.data === "string" ? row.data : utf8(row.data as Uint8Array);
  if (text === undefined) return { ok: false, reason: "data is a blob that is not UTF-8" };
  try {
    return { ok: true, value: JSON.parse(text) as unknown, text };
  } catch (error) {
    return { ok: false, reason: `data is not JSON (${messageOf(error)})` };
  }
}

const decoder = new TextDecoder("utf-8", { fatal: true });

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}
