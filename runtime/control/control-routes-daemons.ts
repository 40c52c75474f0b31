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
      const { wait, timeoutMs } = actionOptions(request);
      const { name } = request.params;
      if (!wait) {
        manager.statusOf(name); // an unknown name is a 404, not a 202
        void requestAction(manager, action, name);
        return reply.code(202).send(manager.statusOf(name));
      }
      try {
        await performAction(manager, action, name, timeoutMs);
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

function actionOptions(request: NamedRequest): { wait: boolean; timeoutMs: number } {
  const here = whereOf(request);
  const query = knownQuery(request.query, ["wait", "timeoutMs"], here);
  const body: unknown = request.body;
  if (body !== undefined && (typeof body !== "object" || body === null || Array.isArray(body))) {
    throw new ApiError(400, "bad_request", `${here}: a body, if any, must be a JSON object`);
  }
  return {
    wait: booleanParam(query, "wait", here, true),
    timeoutMs: integerParam(query, "timeoutMs", here, {
      min: 0,
      max: MAX_DELAY_MS,
      fallback: DEFAULTS.control.actionTimeoutMs,
    }),
  };
}

function goal(action: DaemonAction): string {
  return action === "stop" ? "STOPPED" : "RUNNING";
}
