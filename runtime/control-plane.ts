/**
 * What `warden up` adds to a manager so that operators can see and steer it (SPEC §9): the
 * HEALTH_SERVER built-in daemon with the control API, the event history behind
 * `GET /v1/events` and `/metrics`, and the refusal to run two managers on one state directory.
 */
import { resolve } from "node:path";
import { healthServerDaemon } from "../actors/health-server.ts";
import type { LoadedConfig } from "./config/load-config.ts";
import { stateDirOf } from "./config/load-config.ts";
import type { DaemonManager } from "./daemon-manager.ts";
import { WardenError } from "./errors.ts";
import { EventHistory } from "./event-history.ts";
import type { Logger } from "./logger.ts";
import { readManagerInfo } from "./manager-discovery.ts";
import { createMetrics } from "./prometheus-metrics.ts";

export const HEALTH_SERVER = "HEALTH_SERVER";
export const DEFAULT_SERVER = { host: "127.0.0.1", port: 7070 } as const;

export interface ControlPlane {
  history: EventHistory;
  /** The daemons `/readyz` waits for, HEALTH_SERVER included. */
  targets: readonly string[];
  /** The control API's address while HEALTH_SERVER listens. */
  url(): string | undefined;
  close(): void;
}

/**
 * Registers HEALTH_SERVER on `manager` (not started yet) and starts recording events.
 * `targets` are the daemons `warden up` runs (with their dependencies), for `/readyz`.
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
): ControlPlane {
  const stateDir = stateDirOf(loaded);
  const running = readManagerInfo(stateDir);
  if (running && running.pid !== process.pid) {
    throw new WardenError(
      "WARDEN_ERR_ALREADY_RUNNING",
      `a manager (pid ${running.pid}) already runs for ${loaded.file} at ${running.url}; ` +
        `stop it first, or give this configuration another stateDir`,
    );
  }
  if (loaded.config.daemons[HEALTH_SERVER] !== undefined) {
    throw new WardenError(
      "WARDEN_ERR_CONFIG",
      `${loaded.file}: daemons.${HEALTH_SERVER}: this daemon is built in; configure it with "server": { host, port }`,
    );
  }
  const history = new EventHistory(manager.events$);
  const metrics = createMetrics({
    status: () => manager.status(),
    eventCounts: () => history.counts(),
    deadLetters: () => manager.bus.deadLetters.size,
  });
  const all = [HEALTH_SERVER, ...targets.filter((name) => name !== HEALTH_SERVER)];
  const health = healthServerDaemon({
    host: loaded.config.server?.host ?? DEFAULT_SERVER.host,
    port: loaded.config.server?.port ?? DEFAULT_SERVER.port,
    stateDir,
    serverOptions: {
      manager,
      history,
      logger,
      readiness: () => all,
      metrics: async () => ({ contentType: metrics.contentType, text: await metrics.text() }),
      config: resolve(loaded.file),
    },
  });
  manager.register(HEALTH_SERVER, health, {
    description: "the control and health API (built in)",
    restart: "always",
  });
  return { history, targets: all, url: () => health.url(), close: () => history.close() };
}
