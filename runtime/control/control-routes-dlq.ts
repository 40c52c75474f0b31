/**
 * `GET /v1/dlq` (the dead-letter queue's entries, SPEC §5) and `POST /v1/dlq/retry|purge`
 * (docs/control-api.md): what `warden dlq list|retry|purge` call.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { DeadLetterQueue, DeadLetterSelection } from "../bus/dead-letter-queue.ts";
import type { WardenClock } from "../../actors/clock.ts";
import { ApiError, whereOf } from "./control-api-error.ts";
import { booleanParam, integerParam, knownQuery, listParam } from "./control-query.ts";

/** Entries `GET /v1/dlq` answers without `limit`, and the most it answers with one. */
export const DLQ_LIST_LIMIT = { fallback: 1000, max: 100_000 } as const;
/** Ids one retry or purge may name; more go in several requests (or `all`). */
const MAX_IDS = 10_000;
const MAX_ID_LENGTH = 200;

export interface DlqRoutesOptions {
  /** The bus's queue (`manager.bus.deadLetters`). */
  deadLetters: DeadLetterQueue;
  /** The manager's clock: a retry makes entries due at its now. */
  clock: WardenClock;
}

/**
 * Registers the dead-letter routes on `app` (inside the authenticated `/v1` scope).
 *
 * @example
 * registerDlqRoutes(v1, { deadLetters: manager.bus.deadLetters, clock: manager.clock });
 */
export function registerDlqRoutes(app: FastifyInstance, options: DlqRoutesOptions): void {
  const { deadLetters, clock } = options;

  app.get("/dlq", async (request) => {
    const here = whereOf(request);
    const query = knownQuery(request.query, ["type", "subscriber", "parked", "limit"], here);
    const types = listParam(query, "type");
    const subscriber = listParam(query, "subscriber");
    if (subscriber.length > 1) {
      throw new ApiError(400, "bad_request", `${here}: subscriber takes one name`);
    }
    const parked =
      query.parked === undefined ? undefined : booleanParam(query, "parked", here, false);
    const limit = integerParam(query, "limit", here, { min: 0, ...DLQ_LIST_LIMIT });
    const matching = deadLetters.list({
      types,
      ...(subscriber[0] !== undefined ? { subscriber: subscriber[0] } : {}),
      ...(parked !== undefined ? { parked } : {}),
    });
    return {
      entries: matching.slice(0, limit),
      total: matching.length,
      parked: matching.filter((letter) => letter.parked).length,
      evicted: deadLetters.evicted,
    };
  });

  app.post("/dlq/retry", async (request) => {
    const selection = selectionOf(request, deadLetters);
    return { retried: deadLetters.retry(selection, clock.now()).ids };
  });

  app.post("/dlq/purge", async (request) => {
    const selection = selectionOf(request, deadLetters);
    return { purged: deadLetters.purge(selection).ids };
  });
}

/**
 * The body `{ ids: [...] }` or `{ all: true }`. An id the queue does not hold is a 404 naming it,
 * and nothing is done: a script learns that its view was stale (delivered or purged meanwhile).
 */
function selectionOf(request: FastifyRequest, deadLetters: DeadLetterQueue): DeadLetterSelection {
  const here = whereOf(request);
  knownQuery(request.query, [], here);
  const body: unknown = request.body;
  const expected = `the body must be {"ids": ["dl-1", …]} or {"all": true}`;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ApiError(400, "bad_request", `${here}: ${expected}`);
  }
  const { ids, all, ...rest } = body as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) {
    throw new ApiError(400, "bad_request", `${here}: unknown key "${extra[0]}"; ${expected}`);
  }
  if (all !== undefined && typeof all !== "boolean") {
    throw new ApiError(400, "bad_request", `${here}: ${expected}; all must be true or false`);
  }
  if (all === true) {
    if (ids === undefined) return "all";
    throw new ApiError(400, "bad_request", `${here}: ${expected}, not both`);
  }
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_IDS) {
    throw new ApiError(400, "bad_request", `${here}: ${expected}, with 1 to ${MAX_IDS} ids`);
  }
  const bad = ids.find(
    (id) => typeof id !== "string" || id.length === 0 || id.length > MAX_ID_LENGTH,
  );
  if (bad !== undefined) {
    throw new ApiError(
      400,
      "bad_request",
      `${here}: every id must be a string of 1 to ${MAX_ID_LENGTH} characters, got ${JSON.stringify(bad).slice(0, 100)}`,
    );
  }
  const unknown = (ids as string[]).filter((id) => deadLetters.get(id) === undefined);
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 5).join(", ") + (unknown.length > 5 ? ", …" : "");
    throw new ApiError(
      404,
      "unknown_dead_letter",
      `${here}: no dead letter ${shown} (delivered or purged meanwhile? \`warden dlq list\` shows those there are); nothing was done`,
    );
  }
  return ids as string[];
}
