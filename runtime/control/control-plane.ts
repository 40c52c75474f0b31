/**
 * What `warden up` adds to a manager so that operators can see and steer it (SPEC §9): the
 * HEALTH_SERVER built-in daemon with the control API, the event history behind
 * `GET /v1/events` and `/metrics`. (runtime/state-lock.ts keeps two managers off one state
 * directory.)
 */
import { resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import { healthServerDaemon } from "./health-server.ts";
import type { LoadedConfig } from "../config/load-config.ts";
import { stateDirOf } from "../config/load-config.ts";
import type { DaemonManager } from "../manager/daemon-manager.ts";
import { DEFAULTS } from "../../machines/defaults.ts";
import { WardenError, messageOf } from "../../machines/errors.ts";
import { EventHistory } from "../bus/event-history.ts";
import type { Logger } from "../logger.ts";
import { portHolder } from "./port-holder.ts";
import { createMetrics } from "./prometheus-metrics.ts";

export const HEALTH_SERVER = "HEALTH_SERVER";

export interface ControlPlane {
  history: EventHistory;
  /** The daemons `/readyz` waits for, HEALTH_SERVER included. */
  targets: readonly string[];
  /** The control API's address while HEALTH_SERVER listens. */
  url(): string | undefined;
  close(): void;
  /**
   * Listens on the control port now, before anything starts; throws WARDEN_ERR_CONTROL_PORT
   * naming the port and what holds it when it cannot.
   */
  bind(): Promise<void>;
  /** Writes the token and manager.json again if the state directory lost them. */
  restoreFiles(): void;
}

/**
 * Registers HEALTH_SERVER on `manager` (not started yet) and starts recording events.
 * `targets` are the daemons `warden up` runs (with their dependencies), for `/readyz`, which
 * also reports `problems` of the manager itself; `routes` adds routes to the `/v1` scope.
 *
 * @example
 * const plane = attachControlPlane(manager, loaded, ["api", "db"], logger);
 * await manager.startMany([HEALTH_SERVER, ...plane.targets]);
 */
export function attachControlPlane(
  manager: DaemonManager,
  loaded: LoadedConfig,
  targets: readonly string[],
  logger: Logger,
  problems: () => readonly string[] = () => [],
  routes: readonly ((v1: FastifyInstance) => void)[] = [],
): ControlPlane {
  const stateDir = stateDirOf(loaded);
  if (loaded.config.daemons[HEALTH_SERVER] !== undefined) {
    throw new WardenError(
      "WARDEN_ERR_CONFIG",
      `${loaded.file}: daemons.${HEALTH_SERVER}: this daemon is built in; configure it with "server": { host, port }`,
    );
  }
  const history = new EventHistory(manager.events$, undefined, { logger });
  const metrics = createMetrics(
    {
      status: () => manager.status(),
      eventCounts: () => history.counts(),
      deadLetters: () => manager.bus.deadLetters.size,
      resources: () => manager.resources.usage(),
    },
    { logger },
  );
  const all = [HEALTH_SERVER, ...targets.filter((name) => name !== HEALTH_SERVER)];
  const host = loaded.config.server?.host ?? DEFAULTS.server.host;
  const port = loaded.config.server?.port ?? DEFAULTS.server.port;
  const health = healthServerDaemon({
    host,
    port,
    stateDir,
    serverOptions: {
      manager,
      history,
      logger,
      readiness: () => all,
      problems,
      metrics: async () => ({ contentType: metrics.contentType, text: await metrics.text() }),
      config: resolve(loaded.file),
      routes,
    },
  });
  manager.register(HEALTH_SERVER, health, {
    description: "the control and health API (built in)",
    restart: "always",
  });
  return {
    history,
    targets: all,
    url: () => health.url(),
    close: () => history.close(),
    restoreFiles: () => health.restoreFiles(),
    bind: async () => {
      try {
        await health.bind();
      } catch (error) {
        throw bindError(error, host, port, loaded.file);
      }
    },
  };
}

/** A control port that cannot be had is fatal at start: it names the port and who holds it. */
function bindError(error: unknown, host: string, port: number, file: string): WardenError {
  const code = (error as NodeJS.ErrnoException).code;
  const holder = code === "EADDRINUSE" ? portHolder(port) : undefined;
  const reason =
    code === "EADDRINUSE"
      ? `the port is in use${holder ? ` by pid ${holder.pid} (${holder.command})` : ""}`
      : messageOf(error);
  return new WardenError(
    "WARDEN_ERR_CONTROL_PORT",
    `cannot listen on ${host}:${port} for the control API: ${reason}; ` +
      `stop what holds it, or set "server": { "port": … } in ${file} (0 picks a free port)`,
    { cause: error },
  );
}
