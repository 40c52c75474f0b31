/**
 * The data and actions of the inspector page, under `/inspector/api` (docs/inspector.md): what
 * the control API's `/v1` routes give, shaped for the page, behind the inspector's session
 * (runtime/inspector/inspector-access.ts checks it before any of these run).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { DaemonManager } from "../manager/daemon-manager.ts";
import type { EventHistory } from "../bus/event-history.ts";
import { streamEvents } from "../bus/event-stream.ts";
import type { Logger } from "../logger.ts";
import { ApiError, whereOf } from "../control/control-api-error.ts";
import { integerParam, knownQuery } from "../control/control-query.ts";
import { DAEMON_ACTIONS, requestAction } from "../control/daemon-action.ts";
import { LIFECYCLE_EVENT_TYPES } from "../../machines/envelope.ts";
import { dependencyDot, lifecycleDot } from "./inspector-dot.ts";
import { svgOf } from "./graphviz-svg.ts";
import { lifecycleChart } from "./lifecycle-transitions.ts";
import { logLines } from "./log-lines.ts";

/** The daemon that serves this page: stopping or restarting it from here would cut it off. */
export const SERVING_DAEMON = "HEALTH_SERVER";
/** Events sent first on a new event stream, unless the page asks for another number. */
const EVENT_BACKLOG = 200;
/** Dead letters shown: the newest. */
const DLQ_SHOWN = 200;
/** Transitions of one daemon shown in its panel: the newest. */
const TRANSITIONS_SHOWN = 30;
/** Lines of a process daemon's log shown in its panel. */
const LOG_LINES = 100;

export interface InspectorApiOptions {
  manager: DaemonManager;
  history: EventHistory;
  logger: Logger;
  /** Every open event stream's `end`; the server ends them when it closes. */
  streams: Set<() => void>;
  stateDir: string;
  info: { pid: number; startedAt: number; config?: string };
}

type NamedRequest = FastifyRequest<{ Params: { name: string } }>;

/**
 * Registers the routes on `app` (the inspector's scope, prefix `/api` within it).
 *
 * @example
 * registerInspectorApi(inspector, { manager, history, logger, streams, stateDir, info });
 */
export function registerInspectorApi(app: FastifyInstance, options: InspectorApiOptions): void {
  const { manager, history } = options;
  const drawings = drawingCache();

  app.get("/api/status", async (request) => {
    knownQuery(request.query, [], whereOf(request));
    const { info } = options;
    return {
      manager: {
        pid: info.pid,
        uptimeSeconds: (Date.now() - info.startedAt) / 1000,
        stateDir: options.stateDir,
        ...(info.config === undefined ? {} : { config: info.config }),
      },
      daemons: manager.status(),
    };
  });

  app.get("/api/graph", async (request) => {
    knownQuery(request.query, [], whereOf(request));
    const daemons = manager.status().map(({ name, dependsOn }) => ({ name, dependsOn }));
    return { daemons: daemons.map(({ name }) => name), svg: await drawings.dependencies(daemons) };
  });

  app.get("/api/lifecycle", async (request) => {
    knownQuery(request.query, [], whereOf(request));
    return { svg: await drawings.lifecycle() };
  });

  app.get("/api/events", async (request, reply) => {
    const here = whereOf(request);
    const query = knownQuery(request.query, ["limit"], here);
    const limit = integerParam(query, "limit", here, {
      min: 0,
      max: 1000,
      fallback: EVENT_BACKLOG,
    });
    reply.hijack();
    // Unnamed events: the page's EventSource gets every type through one `message` listener.
    const end = streamEvents(reply.raw, {
      backlog: limit === 0 ? [] : history.recent({ limit }),
      events$: manager.events$,
      types: undefined,
      logger: options.logger,
      named: false,
    });
    options.streams.add(end);
    reply.raw.once("close", () => options.streams.delete(end));
  });

  app.get("/api/dlq", async (request) => {
    knownQuery(request.query, [], whereOf(request));
    const { deadLetters } = manager.bus;
    const entries = deadLetters.list({});
    return {
      entries: entries.slice(-DLQ_SHOWN),
      total: entries.length,
      parked: entries.filter((letter) => letter.parked).length,
      evicted: deadLetters.evicted,
    };
  });

  app.get("/api/daemons/:name", async (request: NamedRequest) => {
    knownQuery(request.query, [], whereOf(request));
    const { name } = request.params;
    const status = manager.statusOf(name);
    const transitions = history
      .recent({ types: [...LIFECYCLE_EVENT_TYPES] })
      .filter((event) => (event.data as { daemon?: unknown } | undefined)?.daemon === name)
      .slice(-TRANSITIONS_SHOWN);
    const log = status.kind === "process" ? logLines(options.stateDir, name, LOG_LINES) : undefined;
    return { status, transitions, ...(log === undefined ? {} : { log }) };
  });

  for (const action of DAEMON_ACTIONS) {
    app.post(`/api/daemons/:name/${action}`, async (request: NamedRequest, reply) => {
      const here = whereOf(request);
      knownQuery(request.query, [], here);
      const { name } = request.params;
      manager.statusOf(name); // an unknown name is a 404, not a 202
      if (name === SERVING_DAEMON && action !== "start") {
        throw new ApiError(
          400,
          "bad_request",
          `${here}: ${SERVING_DAEMON} serves this page and the control API; stop the manager instead`,
        );
      }
      void requestAction(manager, action, name);
      // The page follows the outcome on its event stream.
      return reply.code(202).send(manager.statusOf(name));
    });
  }
}

/** The drawings, made once (the dependency graph again when the daemons change). */
function drawingCache() {
  let lifecycle: Promise<string> | undefined;
  let dependencies: { key: string; svg: Promise<string> } | undefined;
  const retryable = (svg: Promise<string>, forget: () => void) =>
    svg.catch((error: unknown) => {
      forget();
      throw error;
    });
  return {
    lifecycle(): Promise<string> {
      if (lifecycle === undefined) {
        const { states, edges } = lifecycleChart();
        lifecycle = retryable(svgOf(lifecycleDot(states, edges)), () => (lifecycle = undefined));
      }
      return lifecycle;
    },
    dependencies(daemons: { name: string; dependsOn: readonly string[] }[]): Promise<string> {
      const key = JSON.stringify(daemons);
      if (dependencies?.key !== key) {
        const svg = retryable(svgOf(dependencyDot(daemons)), () => (dependencies = undefined));
        dependencies = { key, svg };
      }
      return dependencies.svg;
    },
  };
}
