/**
 * Server-Sent Events for `GET /v1/events?follow=true` (docs/control-api.md): the backlog, then
 * every new event as it is published, a keep-alive comment every 15 s. A client that does not
 * read is dropped once 1 MiB is queued for it; one that goes away is unsubscribed at once.
 */
import type { ServerResponse } from "node:http";
import type { Observable } from "rxjs";
import type { Envelope } from "../../machines/envelope.ts";
import { envelopeJson } from "./envelope-json.ts";
import type { Logger } from "../logger.ts";

export const KEEP_ALIVE_MS = 15_000;
export const MAX_QUEUED_BYTES = 1024 * 1024;

export interface EventStreamOptions {
  /** Sent first, oldest first. */
  backlog: readonly Envelope[];
  events$: Observable<Envelope>;
  /** Only these types; every type when absent. */
  types: ReadonlySet<string> | undefined;
  logger: Logger;
  keepAliveMs?: number;
  maxQueuedBytes?: number;
  /**
   * Name each event after its type (`event: TYPE`, the default); unnamed events reach a
   * browser's EventSource through its one `message` listener (the inspector's page).
   */
  named?: boolean;
}

/**
 * Streams events on `response` (already hijacked from the framework) until the client goes
 * away or the returned function ends the stream.
 *
 * @example
 * reply.hijack();
 * const end = streamEvents(reply.raw, { backlog, events$: manager.events$, types, logger });
 */
export function streamEvents(response: ServerResponse, options: EventStreamOptions): () => void {
  const maxQueued = options.maxQueuedBytes ?? MAX_QUEUED_BYTES;
  response.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    // Reverse proxies must not buffer a stream.
    "x-accel-buffering": "no",
  });
  const format = (envelope: Envelope) => formatEvent(envelope, options.named ?? true);
  const backlog = options.backlog.map(format).join("");
  // Comment line: the headers and a first byte go out now, even with an empty backlog.
  const drained = response.write(`: warden events\n\n${backlog}`);
  // A large backlog may take a moment to leave; the 1 MiB allowance is for what comes after it.
  let limit = drained ? maxQueued : maxQueued + Buffer.byteLength(backlog);
  if (!drained) response.once("drain", () => (limit = maxQueued));

  const send = (text: string) => {
    if (response.destroyed || response.writableEnded) return;
    response.write(text);
    if (response.writableLength > limit) {
      options.logger.warn(
        { queuedBytes: response.writableLength },
        "dropped an event stream client that does not read",
      );
      response.destroy();
    }
  };
  const subscription = options.events$.subscribe((envelope) => {
    if (options.types && !options.types.has(envelope.type)) return;
    // Runs inside whoever published: nothing may escape into the publisher.
    try {
      send(format(envelope));
    } catch (error) {
      options.logger.error({ err: error }, "event stream write failed");
      response.destroy();
    }
  });
  const keepAlive = setInterval(
    () => send(": keep-alive\n\n"),
    options.keepAliveMs ?? KEEP_ALIVE_MS,
  );
  keepAlive.unref();
  const release = () => {
    subscription.unsubscribe();
    clearInterval(keepAlive);
  };
  response.once("close", release);
  return () => {
    release();
    if (!response.destroyed) response.end();
  };
}

/** One event in the SSE wire format; a line break in the type would end the field early. */
function formatEvent(envelope: Envelope, named: boolean): string {
  const type = envelope.type.replace(/[\r\n]/g, " ");
  const name = named ? `event: ${type}\n` : "";
  return `id: ${envelope.id}\n${name}data: ${envelopeJson(envelope)}\n\n`;
}
