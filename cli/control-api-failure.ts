import { WardenError, messageOf, type WardenErrorCode } from "../machines/errors.ts";
import type { ManagerTarget } from "./locate-manager.ts";

const API_FAILURE: WardenErrorCode = "WARDEN_ERR_CONTROL_API";

/** WardenError codes of the control API's error codes; the others are API_FAILURE (exit 1). */
const CODE_OF_API_ERROR: Readonly<Record<string, WardenErrorCode>> = {
  bad_json: "WARDEN_ERR_USAGE",
  bad_request: "WARDEN_ERR_USAGE",
  body_too_large: "WARDEN_ERR_USAGE",
  unsupported_media: "WARDEN_ERR_USAGE",
  unknown_daemon: "WARDEN_ERR_UNKNOWN_DAEMON",
  unknown_dead_letter: "WARDEN_ERR_USAGE",
  daemon_failed: "WARDEN_ERR_DAEMON_FAILED",
  daemon_stopped: "WARDEN_ERR_DAEMON_STOPPED",
  conflict: "WARDEN_ERR_CONFLICT",
  timeout: "WARDEN_ERR_WAIT_TIMEOUT",
};

/** Network errors that mean nothing listens there: the manager is not running (exit 3). */
const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH"]);

/** The `cause` of a WardenError made from an error answer: its HTTP status and API code. */
export interface ApiErrorCause {
  status: number;
  code: string | undefined;
}

/**
 * The WardenError for an error answer of the control API (`{ error: { code, message } }`,
 * docs/control-api.md): the manager's message with the CLI code of its API code
 * (`unknown_daemon` and `bad_request` exit 2, `daemon_failed` 1, …); a 401 says which token was
 * refused; an answer that is not the API's JSON says what was asked and the HTTP status.
 *
 * @example
 * answerFailure(target, 404, '{"error":{"code":"unknown_daemon","message":"no daemon \\"x\\""}}', "GET", "/v1/daemons/x");
 */
export function answerFailure(
  target: ManagerTarget,
  status: number,
  text: string,
  method: string,
  path: string,
): WardenError {
  const body = parsedOrUndefined(text) as { error?: { code?: unknown; message?: unknown } };
  const code = typeof body?.error?.code === "string" ? body.error.code : undefined;
  const message = typeof body?.error?.message === "string" ? body.error.message : undefined;
  const cause: ApiErrorCause = { status, code };
  if (status === 401) {
    const refused =
      target.token === undefined
        ? `the manager at ${target.url} wants a token and there is none (${target.tokenSource} does not exist); pass --token`
        : `${target.tokenSource} was refused by the manager at ${target.url}`;
    return new WardenError(API_FAILURE, refused, { cause });
  }
  const wardenCode = (code === undefined ? undefined : CODE_OF_API_ERROR[code]) ?? API_FAILURE;
  const fallback = `the manager at ${target.url} answered ${method} ${path} with HTTP ${status}`;
  return new WardenError(wardenCode, message ?? fallback, { cause });
}

/**
 * The WardenError for a request that got no answer: nothing listening is
 * `WARDEN_ERR_NOT_RUNNING` (exit 3, with the configuration's "no manager is running" message
 * when the URL came from its manager.json); anything else is a runtime failure.
 *
 * @example
 * request.on("error", (error) => reject(networkFailure(target, error, "GET", "/v1/status")));
 */
export function networkFailure(
  target: ManagerTarget,
  error: unknown,
  method: string,
  path: string,
): WardenError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined && UNREACHABLE.has(code)) {
    if (target.notRunning === undefined) {
      const message = `no manager answers at ${target.url} (${code})`;
      return new WardenError("WARDEN_ERR_NOT_RUNNING", message, { cause: error });
    }
    return new WardenError("WARDEN_ERR_NOT_RUNNING", target.notRunning, {
      cause: error,
      details: [`its manager.json names ${target.url}, which refuses connections (${code})`],
    });
  }
  const message = `${method} ${path} to the manager at ${target.url} failed: ${messageOf(error)}`;
  return new WardenError(API_FAILURE, message, { cause: error });
}

/**
 * The WardenError for a request the manager did not answer within `timeoutMs`.
 *
 * @example
 * timeoutFailure(target, "GET", "/v1/status", 10_000); // "… did not answer GET /v1/status within 10 s"
 */
export function timeoutFailure(
  target: ManagerTarget,
  method: string,
  path: string,
  timeoutMs: number,
): WardenError {
  return new WardenError(
    "WARDEN_ERR_WAIT_TIMEOUT",
    `the manager at ${target.url} did not answer ${method} ${path} within ${timeoutMs / 1000} s`,
  );
}

/**
 * The WardenError for a runtime failure of the conversation itself: an answer that is not JSON,
 * an event stream that ends or goes silent.
 *
 * @example
 * throw protocolFailure(`the manager at ${url} closed the event stream (did it stop?)`);
 */
export function protocolFailure(message: string, cause?: unknown): WardenError {
  return new WardenError(API_FAILURE, message, { cause });
}

function parsedOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON (a proxy's HTML page, say): the caller falls back to the HTTP status.
    return undefined;
  }
}
