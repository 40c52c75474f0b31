/**
 * The errors of the control API (docs/control-api.md, "Errors"): every failure, whether thrown
 * by a route, by fastify, by Node's HTTP parser or by the manager, becomes
 * `{ error: { code, message } }` with the documented status.
 */
import { STATUS_CODES, maxHeaderSize } from "node:http";
import { isWardenError, messageOf } from "../../machines/errors.ts";

export type ApiErrorCode =
  | "bad_json"
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "unknown_daemon"
  | "unknown_dead_letter"
  | "daemon_failed"
  | "daemon_stopped"
  | "conflict"
  | "body_too_large"
  | "headers_too_large"
  | "unsupported_media"
  | "request_timeout"
  | "timeout"
  | "shutting_down"
  | "bus_full"
  | "journal_unavailable"
  | "internal";

/** The JSON body of every error answer. */
export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string };
}

/**
 * An answer other than success, thrown by a route.
 *
 * @example
 * throw new ApiError(400, "bad_request", `GET /v1/events: limit must be at most 1000, got 5000`);
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }

  body(): ApiErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

/**
 * How error messages name a request: its method and path as sent, without the query.
 *
 * @example
 * whereOf(request); // "POST /v1/daemons/api/start"
 */
export function whereOf(request: { method: string; url: string }): string {
  const query = request.url.indexOf("?");
  return `${request.method} ${query < 0 ? request.url : request.url.slice(0, query)}`;
}

/** The request an error happened in, for its message. */
export interface ErrorScene {
  /** `POST /v1/events`, without the query. */
  where: string;
  contentType: string | undefined;
  bodyLimit: number;
}

/**
 * The API error for anything a route or fastify threw; `internal` (500) for what nobody
 * anticipated, which the caller logs.
 *
 * @example
 * const apiError = toApiError(error, { where: "GET /v1/status", contentType: undefined, bodyLimit: 65536 });
 * reply.code(apiError.status).send(apiError.body());
 */
export function toApiError(error: unknown, scene: ErrorScene): ApiError {
  if (error instanceof ApiError) return error;
  const { where } = scene;
  if (isWardenError(error)) {
    switch (error.code) {
      case "WARDEN_ERR_UNKNOWN_DAEMON":
        return new ApiError(404, "unknown_daemon", `${where}: ${error.message}`);
      case "WARDEN_ERR_DAEMON_FAILED":
        return new ApiError(409, "daemon_failed", `${where}: ${error.message}`);
      case "WARDEN_ERR_DAEMON_STOPPED":
        return new ApiError(409, "daemon_stopped", `${where}: ${error.message}`);
      case "WARDEN_ERR_CONFLICT":
        return new ApiError(409, "conflict", `${where}: ${error.message}`);
      case "WARDEN_ERR_MANAGER_CLOSED":
        return new ApiError(503, "shutting_down", `${where}: ${error.message}`);
      case "WARDEN_ERR_EVENT_ROUTER_FULL":
        // EVENT_ROUTER is not running and holds all it may: try again once it runs.
        return new ApiError(503, "bus_full", `${where}: ${error.message}`);
      default:
        return internal(error, where);
    }
  }
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new ApiError(400, "bad_json", `${where}: the body is not valid JSON`);
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new ApiError(
        413,
        "body_too_large",
        `${where}: the body is over the limit of ${scene.bodyLimit} bytes`,
      );
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new ApiError(
        415,
        "unsupported_media",
        `${where}: a body must be application/json, got ${scene.contentType === undefined ? "no Content-Type" : JSON.stringify(scene.contentType)}`,
      );
  }
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (status === 503) {
    return new ApiError(503, "shutting_down", `${where}: the control server is shutting down`);
  }
  if (typeof status === "number" && status >= 400 && status < 500) {
    // The rest of fastify's client errors: a bad Content-Length, a malformed URL.
    return new ApiError(
      status === 404 ? 404 : 400,
      status === 404 ? "not_found" : "bad_request",
      `${where}: ${messageOf(error)}`,
    );
  }
  return internal(error, where);
}

/**
 * The API error for what Node's HTTP parser rejected before there was a request (a server's
 * `clientError`); undefined when the client is gone and there is nobody to answer.
 *
 * @example
 * clientErrorOf(Object.assign(new Error("Header overflow"), { code: "HPE_HEADER_OVERFLOW" }));
 * // ApiError 431 headers_too_large
 */
export function clientErrorOf(error: unknown): ApiError | undefined {
  const { code, reason } = (error ?? {}) as { code?: unknown; reason?: unknown };
  switch (code) {
    case "ECONNRESET":
    case "EPIPE":
      return undefined;
    case "HPE_HEADER_OVERFLOW":
      return new ApiError(
        431,
        "headers_too_large",
        `the request line and headers are over the limit of ${maxHeaderSize} bytes`,
      );
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return new ApiError(408, "request_timeout", "the request did not arrive in full in time");
  }
  const detail = typeof reason === "string" && reason !== "" ? reason : messageOf(error);
  const named = typeof code === "string" ? `${code}: ${detail}` : detail;
  return new ApiError(400, "bad_request", `malformed HTTP request (${named})`);
}

/**
 * A complete HTTP/1.1 response carrying `error`, for a socket no request object stands for; the
 * connection is closed after it.
 *
 * @example
 * socket.write(rawErrorResponse(apiError));
 * socket.destroy();
 */
export function rawErrorResponse(error: ApiError): string {
  const body = JSON.stringify(error.body());
  return [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? "Error"}`,
    "Content-Type: application/json; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "Connection: close",
    "",
    body,
  ].join("\r\n");
}

function internal(error: unknown, where: string): ApiError {
  return new ApiError(
    500,
    "internal",
    `${where} failed: ${messageOf(error)} (a bug in warden; the manager logged it and keeps running)`,
  );
}
