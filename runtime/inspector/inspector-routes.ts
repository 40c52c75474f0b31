/**
 * The inspector at `/inspector` (SPEC §10, docs/inspector.md): the page and its assets, the
 * one-time login that becomes a session cookie, and the page's data under `/inspector/api`.
 * Everything but the login needs the session (or the bearer token): 401 without it. A
 * state-changing request with the cookie needs this server's own `Origin`: 403 otherwise.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ApiError, whereOf } from "../control/control-api-error.ts";
import { knownQuery } from "../control/control-query.ts";
import { checkAccess, sessionCookie, sessionCookieName } from "./inspector-access.ts";
import { registerInspectorApi, type InspectorApiOptions } from "./inspector-api.ts";
import type { InspectorLogins } from "./inspector-logins.ts";
import {
  CONTENT_SECURITY_POLICY,
  INSPECTOR_HTML,
  LOGGED_IN_HTML,
  LOGIN_NEEDED_HTML,
  LOGIN_REFUSED_HTML,
} from "./assets/inspector-page.ts";
import { INSPECTOR_CSS } from "./assets/inspector-style.ts";
import { INSPECTOR_SCRIPT } from "./assets/inspector-script.ts";

export const INSPECTOR_PREFIX = "/inspector";
const LOGIN_PATH = `${INSPECTOR_PREFIX}/login`;
const PAGE_PATHS = new Set([INSPECTOR_PREFIX, `${INSPECTOR_PREFIX}/`]);

export interface InspectorOptions extends InspectorApiOptions {
  logins: InspectorLogins;
  /** The control API's bearer token, which opens the inspector's routes too. */
  token: string;
}

/**
 * Registers the inspector on the control server `app`.
 *
 * @example
 * registerInspector(app, { manager, history, logger, streams, stateDir, info, logins, token });
 */
export function registerInspector(app: FastifyInstance, options: InspectorOptions): void {
  void app.register(
    async (inspector) => {
      inspector.addHook("onRequest", async (request, reply) => {
        if (request.routeOptions.url === LOGIN_PATH) return;
        try {
          checkAccess(request, options);
        } catch (error) {
          // A person who opens the page without a login is told what to do, in HTML.
          if (!(error instanceof ApiError && error.status === 401 && isPage(request))) throw error;
          return reply.code(401).type("text/html; charset=utf-8").send(LOGIN_NEEDED_HTML);
        }
      });
      inspector.addHook("onSend", async (_request, reply, payload) => {
        void reply.headers({
          "cache-control": "no-store",
          "content-security-policy": CONTENT_SECURITY_POLICY,
          // The login URL's token must not leave in a Referer (it is used up anyway).
          "referrer-policy": "no-referrer",
          "x-content-type-options": "nosniff",
          "x-frame-options": "DENY",
        });
        return payload;
      });
      inspector.setNotFoundHandler(async (request) => {
        throw new ApiError(404, "not_found", `${whereOf(request)}: no such route`);
      });

      const page = async (request: FastifyRequest, reply: FastifyReply) => {
        knownQuery(request.query, [], whereOf(request));
        return reply.type("text/html; charset=utf-8").send(INSPECTOR_HTML);
      };
      inspector.get("/", page);
      inspector.get("/app.js", async (_request, reply) =>
        reply.type("text/javascript; charset=utf-8").send(INSPECTOR_SCRIPT),
      );
      inspector.get("/app.css", async (_request, reply) =>
        reply.type("text/css; charset=utf-8").send(INSPECTOR_CSS),
      );
      inspector.get("/login", async (request, reply) => login(request, reply, options.logins));
      registerInspectorApi(inspector, options);
    },
    { prefix: INSPECTOR_PREFIX },
  );
}

/**
 * `POST /v1/inspector/login` (with the bearer token): a one-time login URL for the inspector,
 * `{ url, path, expiresAt }`; `url` is made from the request's `Host`, `path` is for a client
 * that knows better (`warden inspect` puts it after the URL it reached the manager at).
 *
 * @example
 * registerInspectorLogin(v1, logins);
 */
export function registerInspectorLogin(v1: FastifyInstance, logins: InspectorLogins): void {
  v1.post("/inspector/login", async (request) => {
    knownQuery(request.query, [], whereOf(request));
    const { token, expiresAt } = logins.mint();
    const path = `${LOGIN_PATH}?token=${token}`;
    const { localAddress, localPort } = request.socket;
    const host =
      request.headers.host ??
      `${localAddress?.includes(":") ? `[${localAddress}]` : localAddress}:${localPort}`;
    return { url: `http://${host}${path}`, path, expiresAt };
  });
}

/** `GET /inspector/login?token=…`: the token, once, becomes a session cookie. */
async function login(request: FastifyRequest, reply: FastifyReply, logins: InspectorLogins) {
  const query = knownQuery(request.query, ["token"], whereOf(request));
  const token = typeof query.token === "string" ? query.token : undefined;
  const session = logins.exchange(token);
  const html = "text/html; charset=utf-8";
  if (session === undefined) return reply.code(401).type(html).send(LOGIN_REFUSED_HTML);
  const name = sessionCookieName(request.socket.localPort);
  const maxAgeSeconds = (session.expiresAt - Date.now()) / 1000;
  void reply.header("set-cookie", sessionCookie(name, session.id, maxAgeSeconds));
  return reply.type(html).send(LOGGED_IN_HTML);
}

function isPage(request: FastifyRequest): boolean {
  return request.method === "GET" && PAGE_PATHS.has(request.routeOptions.url ?? "");
}
