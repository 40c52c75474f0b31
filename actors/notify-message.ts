/**
 * The messages a process daemon writes on its notify socket (SPEC §4, docs/notify-protocol.md):
 * one `KEY=VALUE` line each, parsed here into data without any I/O. Every problem is a result,
 * never a throw, so that a daemon's malformed line can only ever be logged and counted.
 */
import { messageOf } from "../machines/errors.ts";
import { closestName } from "../machines/closest-name.ts";
import { parseHealthAnswer } from "./notify-health-answer.ts";

/** The longest line accepted, in UTF-8 bytes, without its `\n`. */
export const MAX_NOTIFY_LINE_BYTES = 65_536;
/** The longest event type (or metric name), in characters. */
export const MAX_EVENT_TYPE_LENGTH = 200;
/**
 * The most metrics a daemon may have: names beyond them are dropped (and reported), so that a
 * daemon cannot make `/metrics` grow without bound (SPEC §13).
 */
export const MAX_METRICS_PER_DAEMON = 100;
/** The most metrics one `METRICS=` line may carry: no more than a daemon may have. */
export const MAX_METRICS_KEYS = MAX_METRICS_PER_DAEMON;
/** The longest string value of a metric, in characters. */
export const MAX_METRIC_STRING_LENGTH = 256;
/** Metric names as Prometheus writes them (they become the `metric` label of `/metrics`). */
const METRIC_NAME = /^[A-Za-z_:][A-Za-z0-9_:]*$/;
/** Event types the manager keeps for its lifecycle events; daemons may subscribe, not publish. */
export const RESERVED_EVENT_PREFIX = "DAEMON_";
/** `SUBSCRIBE=*` subscribes to every event. */
export const SUBSCRIBE_ALL = "*";
/** The keys of the protocol, case-sensitive. */
export const NOTIFY_KEYS = [
  "READY",
  "WATCHDOG",
  "STATUS",
  "EVENT",
  "METRICS",
  "SUBSCRIBE",
  "HEALTH",
] as const;

export type NotifyKey = (typeof NOTIFY_KEYS)[number];

export type NotifyMessage =
  | { kind: "READY" }
  | { kind: "WATCHDOG" }
  | { kind: "STATUS"; text: string }
  | { kind: "EVENT"; type: string; data: unknown }
  | { kind: "METRICS"; metrics: Record<string, number | string> }
  /** `eventType` is `"*"` for every event. */
  | { kind: "SUBSCRIBE"; eventType: string }
  /** The answer to the manager's `HEALTH?` (actors/notify-health-answer.ts). */
  | { kind: "HEALTH"; healthy: boolean; detail?: string };

export type NotifyParseResult = { ok: true; message: NotifyMessage } | { ok: false; error: string };

const USAGE: Record<NotifyKey, string> = {
  READY: "READY=1",
  WATCHDOG: "WATCHDOG=1",
  STATUS: "STATUS=<text>",
  EVENT: 'EVENT={"type": "<type>", "data": <json>}',
  METRICS: 'METRICS={"<name>": <number or string>, ...}',
  SUBSCRIBE: "SUBSCRIBE=<event type or *>",
  HEALTH: "HEALTH=ok or HEALTH=fail <detail>",
};
const EVENT_KEYS = ["type", "data"];
const PREVIEW_LENGTH = 60;

/**
 * True for a line with nothing but whitespace. Such lines are not messages: the caller skips
 * them silently (a stray `\n` is not worth a warning). `parseNotifyMessage` reports them as the
 * error `"empty line"` for callers that do not check first.
 *
 * @example
 * for (const line of lines) if (!isBlankNotifyLine(line)) handle(parseNotifyMessage(line));
 */
export function isBlankNotifyLine(line: string): boolean {
  return line.trim() === "";
}

/**
 * Parses one line of the notify protocol. The caller splits the stream at `\n` and strips a
 * trailing `\r`; keys are case-sensitive and values are taken as written (no trimming).
 *
 * @example
 * parseNotifyMessage("READY=1"); // { ok: true, message: { kind: "READY" } }
 * parseNotifyMessage('EVENT={"type":"MODEL_SAVED","data":{"step":100}}');
 * // { ok: true, message: { kind: "EVENT", type: "MODEL_SAVED", data: { step: 100 } } }
 * parseNotifyMessage("READY=yes"); // { ok: false, error: 'READY: expected "1", got "yes"' }
 */
export function parseNotifyMessage(line: string): NotifyParseResult {
  if (exceedsLineLimit(line)) return failure(`line longer than ${MAX_NOTIFY_LINE_BYTES} bytes`);
  if (isBlankNotifyLine(line)) return failure("empty line");
  const equals = line.indexOf("=");
  const key = equals < 0 ? line : line.slice(0, equals);
  if (!isNotifyKey(key)) return failure(unknownMessage(line, key));
  if (equals < 0) return failure(`${key}: expected ${USAGE[key]}, got ${quote(line)}`);
  const value = line.slice(equals + 1);
  switch (key) {
    case "READY":
    case "WATCHDOG":
      return value === "1"
        ? success({ kind: key })
        : failure(`${key}: expected "1", got ${quote(value)}`);
    case "STATUS":
      return success({ kind: "STATUS", text: value });
    case "EVENT":
      return parseEvent(value);
    case "METRICS":
      return parseMetrics(value);
    case "SUBSCRIBE":
      return parseSubscribe(value);
    case "HEALTH":
      return parseHealth(value);
  }
}

function parseEvent(value: string): NotifyParseResult {
  const json = parseJson("EVENT", value);
  if (!json.ok) return json;
  const event = eventFromJson(json.value, value);
  if (!event.ok) return failure(`EVENT: ${event.error}`);
  return success({ kind: "EVENT", type: event.type, data: event.data });
}

/**
 * The event that parsed JSON `event` describes, by the rules of `EVENT=`: an object with a
 * `type` (a valid name, not `DAEMON_*`) and optional `data`. `text` is how the JSON was written,
 * quoted in errors. The control API's `POST /v1/events` checks its bodies with it too.
 *
 * @example
 * eventFromJson({ type: "MODEL_SAVED" }, '{"type":"MODEL_SAVED"}'); // { ok: true, type: "MODEL_SAVED", data: null }
 */
export function eventFromJson(
  event: unknown,
  text: string,
): { ok: true; type: string; data: unknown } | { ok: false; error: string } {
  const expected = 'expected a JSON object with a "type" string';
  if (!isJsonObject(event)) return failure(`${expected}, got ${excerpt(text)}`);
  const extra = Object.keys(event).find((key) => !EVENT_KEYS.includes(key));
  if (extra !== undefined) {
    const near = closestName(extra, EVENT_KEYS);
    const hint = near === undefined ? 'expected only "type" and "data"' : `did you mean "${near}"?`;
    return failure(`unknown key ${quote(extra)} (${hint})`);
  }
  if (typeof event.type !== "string") {
    const got = "type" in event ? `"type": ${show(event.type)}` : excerpt(text);
    return failure(`${expected}, got ${got}`);
  }
  const problem = nameProblem(event.type);
  if (problem !== undefined) return failure(`"type" ${problem}`);
  if (event.type.startsWith(RESERVED_EVENT_PREFIX)) {
    const owner = `${RESERVED_EVENT_PREFIX}* are the manager's lifecycle events`;
    return failure(`type ${quote(event.type)} is reserved (${owner})`);
  }
  return { ok: true, type: event.type, data: event.data ?? null };
}

function parseMetrics(value: string): NotifyParseResult {
  const json = parseJson("METRICS", value);
  if (!json.ok) return json;
  if (!isJsonObject(json.value)) {
    return failure(`METRICS: expected a JSON object of numbers and strings, got ${excerpt(value)}`);
  }
  const entries = Object.entries(json.value);
  if (entries.length > MAX_METRICS_KEYS) {
    return failure(`METRICS: ${entries.length} metrics, at most ${MAX_METRICS_KEYS} per line`);
  }
  for (const [name, metric] of entries) {
    const problem = nameProblem(name);
    if (problem !== undefined) return failure(`METRICS: a metric name ${problem}`);
    if (!METRIC_NAME.test(name)) {
      return failure(
        `METRICS: metric name ${quote(name)} must be letters, digits, "_" and ":", not starting with a digit`,
      );
    }
    if (typeof metric === "string" && metric.length > MAX_METRIC_STRING_LENGTH) {
      const length = [...metric].length;
      if (length > MAX_METRIC_STRING_LENGTH) {
        return failure(
          `METRICS: ${quote(name)} must be at most ${MAX_METRIC_STRING_LENGTH} characters, got ${length}`,
        );
      }
    }
    const valid =
      typeof metric === "string" || (typeof metric === "number" && Number.isFinite(metric));
    if (!valid) {
      return failure(
        `METRICS: ${quote(name)} must be a finite number or a string, got ${show(metric)}`,
      );
    }
  }
  // A fresh object: an own "__proto__" key from JSON.parse stays a plain key.
  return success({
    kind: "METRICS",
    metrics: Object.fromEntries(entries) as Record<string, number | string>,
  });
}

function parseHealth(value: string): NotifyParseResult {
  const answer = parseHealthAnswer(value);
  if (!answer.ok) return failure(`HEALTH: ${answer.error}`);
  const { healthy, detail } = answer;
  return success(
    detail === undefined ? { kind: "HEALTH", healthy } : { kind: "HEALTH", healthy, detail },
  );
}

function parseSubscribe(value: string): NotifyParseResult {
  if (value === SUBSCRIBE_ALL) return success({ kind: "SUBSCRIBE", eventType: SUBSCRIBE_ALL });
  if (value === "") return failure(`SUBSCRIBE: expected ${USAGE.SUBSCRIBE}, got an empty value`);
  const problem = nameProblem(value);
  if (problem !== undefined) return failure(`SUBSCRIBE: the event type ${problem}`);
  return success({ kind: "SUBSCRIBE", eventType: value });
}

/** What is wrong with an event type or metric name, as the end of a sentence; undefined if fine. */
function nameProblem(name: string): string | undefined {
  if (name === "") return "must not be empty";
  // Code points, not UTF-16 units: an emoji counts as one character. Units bound them from above.
  const length = name.length > MAX_EVENT_TYPE_LENGTH ? [...name].length : name.length;
  if (length > MAX_EVENT_TYPE_LENGTH) {
    return `must be at most ${MAX_EVENT_TYPE_LENGTH} characters, got ${length}: ${quote(name)}`;
  }
  if (/[\s\p{Cc}]/u.test(name)) {
    return `must not contain whitespace or control characters, got ${quote(name)}`;
  }
  return undefined;
}

function parseJson(
  key: NotifyKey,
  value: string,
): { ok: true; value: unknown } | { ok: false; error: string } {
  if (value.trim() === "") return failure(`${key}: expected ${USAGE[key]}, got an empty value`);
  try {
    return { ok: true, value: JSON.parse(value) };
  } catch (error) {
    const reason = messageOf(error);
    return failure(`${key}: invalid JSON (${truncate(reason)}): ${excerpt(value)}`);
  }
}

function unknownMessage(line: string, key: string): string {
  const near = closestName(key, NOTIFY_KEYS);
  if (near === undefined) {
    return `unknown message ${quote(line)} (expected READY, WATCHDOG, STATUS, EVENT, METRICS, SUBSCRIBE or HEALTH)`;
  }
  const caseOnly = near === key.toUpperCase() ? " keys are case-sensitive" : "";
  return `unknown message ${quote(line)} (did you mean "${near}"?${caseOnly})`;
}

function isNotifyKey(key: string): key is NotifyKey {
  return (NOTIFY_KEYS as readonly string[]).includes(key);
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** UTF-8 length without encoding: it is at least the UTF-16 length and at most three times it. */
function exceedsLineLimit(line: string): boolean {
  if (line.length > MAX_NOTIFY_LINE_BYTES) return true;
  if (line.length * 3 <= MAX_NOTIFY_LINE_BYTES) return false;
  return Buffer.byteLength(line, "utf8") > MAX_NOTIFY_LINE_BYTES;
}

function success(message: NotifyMessage): NotifyParseResult {
  return { ok: true, message };
}

function failure(error: string): { ok: false; error: string } {
  return { ok: false, error };
}

/** A parsed JSON value as the user would have written it (non-finite numbers come from 1e999). */
function show(value: unknown): string {
  return typeof value === "number" ? String(value) : excerpt(JSON.stringify(value));
}

/** Raw JSON text, shortened. */
function excerpt(text: string): string {
  return truncate(text.trim());
}

/** A string in double quotes with escapes, shortened after the closing quote: `"abc"…`. */
function quote(text: string): string {
  const cut = cutPoint(text);
  return cut === undefined ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, cut))}…`;
}

function truncate(text: string): string {
  const cut = cutPoint(text);
  return cut === undefined ? text : `${text.slice(0, cut)}…`;
}

/** Where to shorten `text` for a message, never inside a surrogate pair; undefined if short. */
function cutPoint(text: string): number | undefined {
  if (text.length <= PREVIEW_LENGTH) return undefined;
  const high = text.charCodeAt(PREVIEW_LENGTH - 1);
  return high >= 0xd800 && high <= 0xdbff ? PREVIEW_LENGTH - 1 : PREVIEW_LENGTH;
}
