/**
 * `GET /v1/events` (recent events as JSON, or Server-Sent Events with `follow=true`) and
 * `POST /v1/events` (publish on the bus as `source: "api"`, answered once journaled),
 * docs/control-api.md.
 */
import type { FastifyInstance } from "fastify";
import type { Logger } from "../logger.ts";
import { ApiError, whereOf } from "./control-api-error.ts";
import { booleanParam, integerParam, knownQuery, listParam } from "./control-query.ts";
import type { DaemonManager } from "../manager/daemon-manager.ts";
import { envelopeJson } from "../bus/envelope-json.ts";
import type { EventHistory } from "../bus/event-history.ts";
import { streamEvents } from "../bus/event-stream.ts";
import { eventFromJson } from "../../actors/notify-message.ts";
import { DEFAULTS } from "../../machines/defaults.ts";
import { messageOf } from "../../machines/errors.ts";

/** `source` of the events clients publish. */
export const API_EVENT_SOURCE = "api";

export interface EventRoutesOptions {
  manager: DaemonManager;
  history: EventHistory;
  logger: Logger;
  /** Every open event stream's `end`; the server ends them when it closes. */
  streams: Set<() => void>;
}

/**
 * Registers the event routes on `app` (inside the authenticated `/v1` scope).
 *
 * @example
 * registerEventRoutes(v1, { manager, history, logger, streams: new Set() });
 */
export function registerEventRoutes(app: FastifyInstance, options: EventRoutesOptions): void {
  const { manager, history } = options;

  app.get("/events", async (request, reply) => {
    const here = whereOf(request);
    const query = knownQuery(request.query, ["follow", "type", "limit"], here);
    // An explicit follow= wins over the Accept header.
    const follow = booleanParam(
      query,
      "follow",
      here,
      (request.headers.accept ?? "").includes("text/event-stream"),
    );
    const types = listParam(query, "type");
    const limit = integerParam(query, "limit", here, {
      min: 0,
      max: DEFAULTS.events.historyCapacity,
      fallback: follow ? 0 : DEFAULTS.control.eventsLimit,
    });
    const recent = limit === 0 ? [] : history.recent({ types, limit });
    if (!follow) {
      return reply
        .type("application/json; charset=utf-8")
        .send(`{"events":[${recent.map(envelopeJson).join(",")}]}`);
    }
    reply.hijack();
    const end = streamEvents(reply.raw, {
      backlog: recent,
      events$: manager.events$,
      types: types.length > 0 ? new Set(types) : undefined,
      logger: options.logger,
    });
    options.streams.add(end);
    reply.raw.once("close", () => options.streams.delete(end));
  });

  app.post("/events", async (request, reply) => {
    const here = whereOf(request);
    knownQuery(request.query, [], here);
    // The notify socket's EVENT= rules, so that an event is valid or not whichever way it comes.
    const body = request.body ?? null;
    const event = eventFromJson(body, JSON.stringify(body));
    if (!event.ok) throw new ApiError(400, "bad_request", `${here}: ${event.error}`);
    // 201 only once the event is journaled (SPEC §5): a client that got it may forget the event.
    const published = manager.bus.publish(event.type, event.data, API_EVENT_SOURCE);
    const journal = manager.bus.journal;
    if (journal !== undefined) {
      try {
        await journal.whenFlushed();
      } catch (error) {
        throw new ApiError(
          503,
          "journal_unavailable",
          `${here}: event ${published.id} was delivered to the running daemons but not journaled: ${messageOf(error)}`,
        );
      }
    }
    return reply.code(201).send(published);
  });
}
