/**
 * Who may use the inspector (docs/inspector.md, "Security"): a browser with a session cookie
 * from a one-time login, or a client with the bearer token. A state-changing request that
 * carries the cookie must also carry an `Origin` that is the server's own: a page of another
 * site cannot make the browser act with the cookie (cross-site request forgery).
 */
import type { FastifyRequest } from "fastify";
import { ApiError, whereOf } from "../control/control-api-error.ts";
import { tokenMatches } from "../control/token-check.ts";
import type { InspectorLogins } from "./inspector-logins.ts";

/**
 * The session cookie's name. Cookies are shared by every port of a host, so the name carries
 * the server's port: two managers on one machine keep their sessions apart.
 *
 * @example
 * sessionCookieName(7070); // "warden_session_7070"
 */
export function sessionCookieName(port: number | undefined): string {
  return port === undefined ? "warden_session" : `warden_session_${port}`;
}

/**
 * The `Set-Cookie` value of a session: HttpOnly (no script reads it), SameSite=Strict (no other
 * site's page sends it), for the whole server.
 *
 * @example
 * sessionCookie("warden_session_7070", id, 43200);
 * // "warden_session_7070=…; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200"
 */
export function sessionCookie(name: string, id: string, maxAgeSeconds: number): string {
  return `${name}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${Math.floor(maxAgeSeconds)}`;
}

/**
 * The value of cookie `name` in a `Cookie` header; undefined when it is absent.
 *
 * @example
 * cookieValue("a=1; warden_session_7070=xyz", "warden_session_7070"); // "xyz"
 */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(";")) {
    const equals = part.indexOf("=");
    if (equals < 0) continue;
    if (part.slice(0, equals).trim() === name) return part.slice(equals + 1).trim();
  }
  return undefined;
}

/**
 * True when `origin` (the `Origin` header) is the server that `host` (the `Host` header) names:
 * same host and port, over http or https. A missing, `null` or malformed origin is not.
 *
 * @example
 * sameOrigin("http://127.0.0.1:7070", "127.0.0.1:7070"); // true
 * sameOrigin("http://evil.example", "127.0.0.1:7070"); // false
 */
export function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined || host === undefined || origin === "null") return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  const bareOrigin = url.origin === origin.replace(/\/$/, "");
  return bareOrigin && (url.protocol === "http:" || url.protocol === "https:") && url.host === host;
}

/** How a request proved who it is. */
export type InspectorCredential = "session" | "token";

export interface AccessOptions {
  logins: InspectorLogins;
  /** The control API's bearer token. */
  token: string;
}

/**
 * Checks `request`: its session cookie or bearer token (401 without either), and for a request
 * other than GET or HEAD made with the cookie, its `Origin` (403 when it is not the server's).
 *
 * @example
 * app.addHook("onRequest", async (request) => { checkAccess(request, { logins, token }); });
 */
export function checkAccess(request: FastifyRequest, options: AccessOptions): InspectorCredential {
  const here = whereOf(request);
  const bearer = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? "")?.[1];
  if (bearer !== undefined && tokenMatches(options.token, bearer)) return "token";
  const name = sessionCookieName(request.socket.localPort);
  if (!options.logins.isSession(cookieValue(request.headers.cookie, name))) {
    throw new ApiError(
      401,
      "unauthorized",
      `${here}: no valid inspector session; open the URL that \`warden inspect\` prints (it logs in once)`,
    );
  }
  const safe = request.method === "GET" || request.method === "HEAD";
  if (!safe && !sameOrigin(request.headers.origin, request.headers.host)) {
    const origin = request.headers.origin;
    throw new ApiError(
      403,
      "forbidden",
      `${here}: refused a cross-site request: the Origin ${origin === undefined ? "header is missing" : JSON.stringify(origin)}, not this server's`,
    );
  }
  return "session";
}
