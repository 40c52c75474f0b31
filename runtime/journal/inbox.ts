/**
 * The way into the journal for a process that is not the manager (SPEC §5, docs/journal.md):
 * `warden emit` when no manager answers, scripts, other programs on the host. It inserts one row
 * into the journal's `inbox` table with a connection of its own, then touches the hint file
 * `<stateDir>/journal.hint`, which wakes the manager's CROSS_PROCESS_POLLER at once (without it
 * the poller still finds the row at its next poll). The row is journaled once the insert
 * commits: a manager running now delivers it within milliseconds, one started later on start.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { eventFromJson } from "../../actors/notify-message.ts";
import type { Envelope } from "../../machines/envelope.ts";
import { WardenError } from "../../machines/errors.ts";
import { INBOX_LIMITS } from "./inbox-rows.ts";
import { JOURNAL_HINT_FILE, journalError, journalFile, openJournalDatabase } from "./journal-db.ts";

export { journalFile };

/** An event for the inbox. */
export interface InboxEvent {
  type: string;
  /** Anything JSON represents; absent: null. */
  data?: unknown;
  /** Who publishes it. Default `external`. */
  source?: string;
  /** Its envelope id, for subscribers to drop repeats. Default: a new UUID. */
  id?: string;
  /** ms since the epoch. Default: now. */
  time?: number;
  node?: string;
}

export interface AppendOptions {
  /** How long to wait for the manager's write lock. Default 5000 ms. */
  busyTimeoutMs?: number;
}

const INSERT = "INSERT INTO inbox (id, type, source, time, node, data) VALUES (?, ?, ?, ?, ?, ?)";

/**
 * Appends `event` to the journal of `stateDir` (created if need be) and wakes the poller.
 * Resolves to the envelope it will be delivered as; throws a WardenError when the event is not
 * valid (`WARDEN_ERR_USAGE`) or the journal cannot be written (`WARDEN_ERR_JOURNAL`).
 *
 * @example
 * const envelope = appendToInbox(".warden", { type: "MODEL_SAVED", data: { epoch: 3 }, source: "trainer" });
 * envelope.id; // "0b6c…" — the id subscribers will see
 */
export function appendToInbox(
  stateDir: string,
  event: InboxEvent,
  options: AppendOptions = {},
): Envelope {
  const envelope = checkedEnvelope(event);
  const data = dataText(envelope);
  if (Buffer.byteLength(data, "utf8") > INBOX_LIMITS.dataBytes) {
    throw new WardenError(
      "WARDEN_ERR_USAGE",
      `event "${envelope.type}": its data is over ${INBOX_LIMITS.dataBytes} bytes as JSON`,
    );
  }
  const file = journalFile(stateDir);
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw journalError(file, error);
  }
  const db = openJournalDatabase(file, { busyTimeoutMs: options.busyTimeoutMs ?? 5000 });
  try {
    const insert = db.prepare(INSERT);
    db.transaction(() => {
      insert.run(
        envelope.id,
        envelope.type,
        envelope.source,
        envelope.time,
        envelope.node ?? null,
        data,
      );
    })();
  } catch (error) {
    throw journalError(file, error);
  } finally {
    db.close();
  }
  touchJournalHint(stateDir);
  return envelope;
}

/**
 * Wakes the poller of `stateDir`: rewrites the one-byte hint file, so that it never grows
 * (a write is what every file-watching API reports, where a bare `utimes` needs ownership).
 * A failure is ignored: the poller's poll finds the row anyway, a little later.
 *
 * @example
 * touchJournalHint(".warden");
 */
export function touchJournalHint(stateDir: string): void {
  try {
    writeFileSync(join(stateDir, JOURNAL_HINT_FILE), "\n");
  } catch {
    // The row is journaled; only the wake-up is lost.
  }
}

function checkedEnvelope(event: InboxEvent): Envelope {
  const checked = eventFromJson({ type: event.type }, JSON.stringify(event.type ?? null));
  if (!checked.ok) throw new WardenError("WARDEN_ERR_USAGE", checked.error);
  const source = event.source ?? "external";
  bounded("source", source, INBOX_LIMITS.sourceLength);
  const id = event.id ?? randomUUID();
  bounded("id", id, INBOX_LIMITS.idLength);
  const time = event.time ?? Date.now();
  if (!Number.isSafeInteger(time) || time < 0) {
    throw new WardenError("WARDEN_ERR_USAGE", `time must be ms since the epoch, got ${time}`);
  }
  const envelope: Envelope = { id, type: event.type, source, time, data: event.data ?? null };
  if (event.node !== undefined) {
    bounded("node", event.node, INBOX_LIMITS.nodeLength);
    envelope.node = event.node;
  }
  return envelope;
}

function dataText(envelope: Envelope): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(envelope.data);
  } catch (error) {
    throw new WardenError(
      "WARDEN_ERR_USAGE",
      `event "${envelope.type}": its data is not JSON (${(error as Error).message})`,
    );
  }
  if (text === undefined) {
    throw new WardenError("WARDEN_ERR_USAGE", `event "${envelope.type}": its data is not JSON`);
  }
  return text;
}

function bounded(what: string, value: string, maxLength: number): void {
  if (value.length === 0 || [...value].length > maxLength || /\p{Cc}/u.test(value)) {
    throw new WardenError(
      "WARDEN_ERR_USAGE",
      `${what} must be 1 to ${maxLength} characters without control characters, got ${JSON.stringify(value.slice(0, 60))}`,
    );
  }
}
