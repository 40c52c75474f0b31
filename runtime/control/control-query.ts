/**
 * Query parameters of the control API, read strictly: an unknown parameter, a repeated
 * single-valued one or a malformed value is a `400 bad_request` naming it, never silently
 * ignored (a mistyped `timeoutMS` must not wait 60 s).
 */
import { closestName } from "../../machines/closest-name.ts";
import { ApiError } from "./control-api-error.ts";

/** A query string as fastify parses it: repeated keys become arrays. */
export type Query = Readonly<Record<string, string | string[] | undefined>>;

/**
 * The query of `where`, once every key is known.
 *
 * @example
 * const query = knownQuery(request.query, ["wait", "timeoutMs"], "POST /v1/daemons/api/start");
 */
export function knownQuery(query: unknown, allowed: readonly string[], where: string): Query {
  const parameters = (query ?? {}) as Query;
  for (const key of Object.keys(parameters)) {
    if (allowed.includes(key)) continue;
    const near = closestName(key, allowed);
    const hint =
      near !== undefined
        ? `did you mean "${near}"?`
        : allowed.length > 0
          ? `expected ${allowed.join(", ")}`
          : "it takes none";
    throw badRequest(where, `unknown query parameter ${JSON.stringify(key)} (${hint})`);
  }
  return parameters;
}

/**
 * `true` or `false`; `fallback` when absent.
 *
 * @example
 * const wait = booleanParam(query, "wait", where, true);
 */
export function booleanParam(query: Query, key: string, where: string, fallback: boolean): boolean {
  const value = single(query, key, where);
  if (value === undefined) return fallback;
  if (value === "true") return true;
  if (value === "false") return false;
  throw badRequest(where, `${key} must be true or false, got ${JSON.stringify(value)}`);
}

/**
 * A decimal integer within `[min, max]`; `fallback` when absent.
 *
 * @example
 * const limit = integerParam(query, "limit", where, { min: 0, max: 1000, fallback: 100 });
 */
export function integerParam(
  query: Query,
  key: string,
  where: string,
  range: { min: number; max: number; fallback: number },
): number {
  const value = single(query, key, where);
  if (value === undefined) return range.fallback;
  const number = /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= range.min && number <= range.max)) {
    throw badRequest(
      where,
      `${key} must be an integer from ${range.min} to ${range.max}, got ${JSON.stringify(value)}`,
    );
  }
  return number;
}

/**
 * Every value of a repeatable, comma-separated parameter (`type=A&type=B,C`), empty ones dropped.
 *
 * @example
 * listParam({ type: ["A", "B,C"] }, "type"); // ["A", "B", "C"]
 */
export function listParam(query: Query, key: string): string[] {
  const value = query[key];
  const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return values.flatMap((item) => item.split(",")).filter((item) => item !== "");
}

function single(query: Query, key: string, where: string): string | undefined {
  const value = query[key];
  if (Array.isArray(value)) throw badRequest(where, `${key} is given ${value.length} times`);
  return value;
}

function badRequest(where: string, message: string): ApiError {
  return new ApiError(400, "bad_request", `${where}: ${message}`);
}
