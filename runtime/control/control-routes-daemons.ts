/**
 * `/v1/status`, `/v1/daemons/:name` and `/v1/daemons/:name/start|stop|restart`
 * (docs/control-api.md).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { ApiError, whereOf } from "./control-api-error.ts";
import { booleanParam, integerParam, knownQuery } from "./control-query.ts";
import {
  ActionTimeout,
  DAEMON_ACTIONS,
  performAction,
  requestAction,
  type DaemonAction,
} from "./daemon-action.ts";
import type { DaemonManager } from "../manager/daemon-manager.ts";
import { DEFAULTS } from "../../machines/defaults.ts";
import { MAX_DELAY_MS } from "../../machines/max-delay.ts";

export interface ManagerDescription {
  pid: number;
  /** Milliseconds since the epoch. */
  startedAt: number;
  stateDir: string;
  config?: string;
}

type NamedRequest = FastifyRequest<{ Params: { name: string } }>;

/**
 * Registers the daemon routes on `app` (inside the authenticated `/v1` scope).
 *
 * @example
 * await app.register(async (v1) => registerDaemonRoutes(v1, manager, info), { prefix: "/v1" });
 */
export function registerDaemonRoutes(
  app: FastifyInstance,
  manager: DaemonManager,
  info: ManagerDescription,
  problems: () => readonly string[] = () => [],
): void {
  app.get("/status", async (request) => {
    knownQuery(request.query, [], whereOf(request));
    const description: Record<string, unknown> = {
      pid: info.pid,
      uptimeSeconds: (Date.now() - info.startedAt) / 1000,
      stateDir: info.stateDir,
    };
    if (info.config !== undefined) description.config = info.config;
    // What /readyz says of the manager itself, e.g. a journal it cannot write ("degraded").
    const now = problems();
    if (now.length > 0) description.problems = now;
    return { manager: description, daemons: manager.status() };
  });

  app.get("/daemons/:name", async (request: NamedRequest) => {
    knownQuery(request.query, [], whereOf(request));
    return manager.statusOf(request.params.name);
  });

  for (const action of DAEMON_ACTIONS) {
    app.post(`/daemons/:name/${action}`, async (request: NamedRequest, reply) => {
      const { wait, timeoutMs, replace } = actionOptions(request, action);
      const { name } = request.params;
      const options = replace ? { replace } : {};
      if (!wait) {
        manager.statusOf(name); // an unknown name is a 404, not a 202
        void requestAction(manager, action, name, options);
        return reply.code(202).send(manager.statusOf(name));
      }
      try {
        await performAction(manager, action, name, timeoutMs, options);
      } catch (error) {
        if (!(error instanceof ActionTimeout)) throw error;
        throw new ApiError(
          504,
          "timeout",
          `${whereOf(request)}: daemon "${name}" is ${manager.stateOf(name)}, not ${goal(action)}, after ${timeoutMs} ms (it keeps going)`,
        );
      }
      return manager.statusOf(name);
    });
  }
}

/**
 * `wait`, `timeoutMs` and, for a start, `replace` (SPEC §6a: stop the daemons it conflicts with
 * first): `?replace=1` or a body `{ "replace": true }`.
 */
function actionOptions(
  request: NamedRequest,
  action: DaemonAction,
): { wait: boolean; timeoutMs: number; replace: boolean } {
  const here = whereOf(request);
  const names = action === "start" ? ["wait", "timeoutMs", "replace"] : ["wait", "timeoutMs"];
  const query = knownQuery(request.query, names, here);
  const body: unknown = request.body;
  if (body !== undefined && (typeof body !== "object" || body === null || Array.isArray(body))) {
    throw new ApiError(400, "bad_request", `${here}: a body, if any, must be a JSON object`);
  }
  const inBody = (body as { replace?: unknown } | undefined)?.replace;
  if (inBody !== undefined && (typeof inBody !== "boolean" || action !== "start")) {
    const expected = action === "start" ? "true or false" : "nothing (only a start replaces)";
    throw new ApiError(400, "bad_request", `${here}: "replace" in the body: expected ${expected}`);
  }
  return {
    replace: inBody === true || (action === "start" && replaceParam(query, here)),
    wait: booleanParam(query, "wait", here, true),
    timeoutMs: integerParam(query, "timeoutMs", here, {
      min: 0,
      max: MAX_DELAY_MS,
      fallback: DEFAULTS.control.actionTimeoutMs,
    }),
  };
}

/** `?replace=1` (or `true`); `0`, `false` or none is no. */
function replaceParam(query: Record<string, unknown>, here: string): boolean {
  const value = query.replace;
  if (value === undefined || value === "0" || value === "false") return false;
  if (value === "1" || value === "true") return true;
  throw new ApiError(
    400,
    "bad_request",
    `${here}: replace must be 1 or 0, got ${JSON.stringify(value)}`,
  );
}

function goal(action: DaemonAction): string {
  return action === "stop" ? "STOPPED" : "RUNNING";
}
