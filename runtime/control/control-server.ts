/**
 * The control and health API of a manager (SPEC §9, docs/control-api.md) as a fastify instance:
 * unauthenticated probes (`/healthz`, `/readyz`, `/metrics`), the `/v1` routes behind a bearer
 * token and the inspector at `/inspector` (runtime/inspector/) behind its login. Whatever a client sends, the answer is JSON (an error is `{ error: { code, message } }`)
 * and the manager keeps running; a bug in a route is a 500 `internal`, logged.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyHttpOptions,
} from "fastify";
import { tokenMatches } from "./token-check.ts";
import {
  ApiError,
  clientErrorOf,
  rawErrorResponse,
  toApiError,
  whereOf,
} from "./control-api-error.ts";
import { registerDaemonRoutes } from "./control-routes-daemons.ts";
import { registerEventRoutes } from "./control-routes-events.ts";
import { registerResourceRoutes } from "./control-routes-resources.ts";
import { registerDlqRoutes } from "./control-routes-dlq.ts";
import { registerInspector, registerInspectorLogin } from "../inspector/inspector-routes.ts";
import { InspectorLogins } from "../inspector/inspector-logins.ts";
import type { DaemonManager } from "../manager/daemon-manager.ts";
import type { EventHistory } from "../bus/event-history.ts";
import { silentLogger, type Logger } from "../logger.ts";
import { DEFAULTS } from "../../machines/defaults.ts";

/** Daemon names are route parameters; find-my-way's default of 100 characters is too short. */
const MAX_NAME_LENGTH = 1000;

export interface ControlServerOptions {
  manager: DaemonManager;
  history: EventHistory;
  /** The bearer token `/v1` requires. */
  token: string;
  /** Daemons /readyz waits for (the selection of `warden up` and their dependencies). */
  readiness: () => readonly string[];
  /**
   * What is wrong with the manager itself (e.g. a state directory it cannot restore); any makes
   * `/readyz` answer 503 with `problems`.
   */
  problems?: () => readonly string[];
  /** Prometheus text for /metrics. */
  metrics: () => Promise<{ contentType: string; text: string }>;
  info: { pid: number; startedAt: number; stateDir: string; config?: string };
  logger?: Logger;
  /** Largest request body in bytes; default DEFAULTS.control.bodyLimitBytes (64 KiB). */
  bodyLimit?: number;
  /** More routes inside the authenticated `/v1` scope (e.g. `/v1/cluster`). */
  routes?: readonly ((v1: FastifyInstance) => void)[];
}

/**
 * The control server, ready to `listen`. Closing it ends every open event stream.
 *
 * @example
 * const server = createControlServer({ manager, history, token, readiness: () => names,
 *   metrics, info: { pid: process.pid, startedAt: Date.now(), stateDir } });
 * await server.listen({ host: "127.0.0.1", port: 7070 });
 */
export function createControlServer(options: ControlServerOptions): FastifyInstance {
  const logger = options.logger ?? silentLogger();
  const bodyLimit = options.bodyLimit ?? DEFAULTS.control.bodyLimitBytes;
  const streams = new Set<() => void>();
  let closing = false;
  const fail = (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const apiError = toApiError(error, {
      where: whereOf(request),
      contentType: request.headers["content-type"],
      bodyLimit,
    });
    if (apiError.status >= 500) {
      logger.error({ err: error, method: request.method, url: request.url }, apiError.message);
    }
    if (apiError.status === 401) void reply.header("www-authenticate", "Bearer");
    return reply.code(apiError.status).type("application/json").send(apiError.body());
  };
  const app = Fastify({
    logger: false,
    bodyLimit,
    routerOptions: { maxParamLength: MAX_NAME_LENGTH },
    // Malformed URLs never reach the error handler otherwise.
    frameworkErrors: fail,
    // What Node and fastify would answer on their own, in their own shapes, is answered here.
    clientErrorHandler: answerClientError,
    return503OnClosing: false,
    http: { requireHostHeader: false },
  } satisfies FastifyHttpOptions<Server>);
  app.server.on("checkExpectation", answerExpectation);

  acceptOnlyJson(app);
  app.setErrorHandler(fail);
  app.addHook("onRequest", async (request, reply) => {
    if (closing) {
      void reply.header("connection", "close");
      throw new ApiError(503, "shutting_down", `${whereOf(request)}: the manager is shutting down`);
    }
    if (request.raw.httpVersion === "1.1" && request.headers.host === undefined) {
      throw new ApiError(400, "bad_request", `${whereOf(request)}: HTTP/1.1 needs a Host header`);
    }
  });
  const notFound = (request: FastifyRequest, reply: FastifyReply) =>
    fail(new ApiError(404, "not_found", `${whereOf(request)}: no such route`), request, reply);
  app.setNotFoundHandler(notFound);
  app.addHook("preClose", (done) => {
    closing = true;
    for (const end of streams) end();
    done();
  });

  registerProbes(app, options);
  const logins = new InspectorLogins();
  registerInspector(app, {
    manager: options.manager,
    history: options.history,
    logger,
    streams,
    stateDir: options.info.stateDir,
    info: options.info,
    logins,
    token: options.token,
  });
  void app.register(
    async (v1) => {
      v1.addHook("onRequest", async (request) => authenticate(request, options.token));
      // Unknown /v1 routes too: without the token, nothing about the API is told.
      v1.setNotFoundHandler(notFound);
      registerDaemonRoutes(v1, options.manager, options.info, options.problems);
      registerResourceRoutes(v1, options.manager);
      registerEventRoutes(v1, {
        manager: options.manager,
        history: options.history,
        logger,
        streams,
      });
      registerDlqRoutes(v1, {
        deadLetters: options.manager.bus.deadLetters,
        clock: options.manager.clock,
      });
      registerInspectorLogin(v1, logins);
      for (const register of options.routes ?? []) register(v1);
    },
    { prefix: "/v1" },
  );
  return app;
}

/**
 * What Node's HTTP parser rejects before there is a request (headers over the limit: 431; a
 * malformed request line or header: 400) gets a JSON error too, then the connection closes.
 */
function answerClientError(error: Error, socket: Socket): void {
  const apiError = clientErrorOf(error);
  if (apiError && !socket.destroyed && socket.writable) socket.write(rawErrorResponse(apiError));
  socket.destroy();
}

/** An `Expect:` other than `100-continue` (Node would answer an empty 417). */
function answerExpectation(request: IncomingMessage, response: ServerResponse): void {
  const apiError = new ApiError(
    417,
    "bad_request",
    `${whereOf({ method: request.method ?? "?", url: request.url ?? "" })}: cannot meet ` +
      `"Expect: ${request.headers.expect ?? ""}" (only 100-continue is supported)`,
  );
  const body = JSON.stringify(apiError.body());
  response.shouldKeepAlive = false;
  response.writeHead(apiError.status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
  });
  response.end(body);
}

/** `/healthz`, `/readyz`, `/metrics`: no token, for load balancers and probes. */
function registerProbes(app: FastifyInstance, options: ControlServerOptions): void {
  const { manager, info } = options;
  // Liveness: the manager answers. It never looks at the daemons (SPEC §13).
  app.get("/healthz", async () => ({
    status: "ok",
    pid: info.pid,
    uptimeSeconds: (Date.now() - info.startedAt) / 1000,
  }));
  app.get("/readyz", async (_request, reply) => {
    const notReady = options
      .readiness()
      .map((name) => ({ name, state: manager.stateOf(name) }))
      .filter(({ state }) => state !== "RUNNING");
    const problems = options.problems?.() ?? [];
    if (notReady.length === 0 && problems.length === 0) return { ready: true };
    return reply
      .code(503)
      .send({ ready: false, notReady, ...(problems.length > 0 ? { problems } : {}) });
  });
  app.get("/metrics", async (_request, reply) => {
    const { contentType, text } = await options.metrics();
    return reply.type(contentType).send(text);
  });
}

/**
 * Bodies are JSON or nothing: fastify's own parser (body limit, prototype poisoning) for
 * `application/json`, where an empty body counts as none; any other type is a 415.
 */
function acceptOnlyJson(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("remove", "remove");
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    if (body === "") return done(null, undefined);
    parseJson(request, body as string, done);
  });
}

function authenticate(request: FastifyRequest, token: string): void {
  const header = request.headers.authorization;
  const given = /^Bearer +(\S+) *$/i.exec(header ?? "")?.[1];
  if (tokenMatches(token, given)) return;
  const problem =
    header === undefined
      ? "no Authorization header"
      : given === undefined
        ? 'the Authorization header is not "Bearer <token>"'
        : "wrong token";
  throw new ApiError(
    401,
    "unauthorized",
    `${whereOf(request)}: ${problem}; send "Authorization: Bearer <token>" with the token from <stateDir>/token`,
  );
}
