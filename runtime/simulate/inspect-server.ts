/**
 * `warden simulate --inspect`: the manager of a simulation served by warden's own control server
 * (runtime/control/control-server.ts) with the inspector (runtime/inspector/, docs/inspector.md),
 * while the run is paced against the wall clock (`pacer`), so that a person watches the daemons
 * of the catalog break and come back in the inspector's graph, charts and event timeline. With
 * `--replay FILE` the run is that log's, event for event.
 */
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { EventHistory } from "../bus/event-history.ts";
import { createControlServer } from "../control/control-server.ts";
import { createMetrics } from "../control/prometheus-metrics.ts";
import type { DaemonManager } from "../manager/daemon-manager.ts";

export interface InspectServer {
  /** The one-time login URL that opens the inspector (docs/inspector.md). */
  loginUrl: string;
  /** The control API's base URL and its bearer token (for scripts and tests). */
  url: string;
  token: string;
  close(): Promise<void>;
}

/**
 * Serves `manager`'s control API and inspector on `host:port` (0: a free port). Make it before
 * the simulation starts its daemons: the inspector's event history begins with it.
 *
 * @example
 * const served = await serveInspector(manager, { host: "127.0.0.1", port: 0 });
 * console.log(served.loginUrl);
 */
export async function serveInspector(
  manager: DaemonManager,
  options: { host: string; port: number; label: string },
): Promise<InspectServer> {
  const history = new EventHistory(manager.events$);
  const metrics = createMetrics({
    status: () => manager.status(),
    eventCounts: () => history.counts(),
    deadLetters: () => manager.bus.deadLetters.size,
    resources: () => manager.resources.usage(),
  });
  const token = randomBytes(32).toString("hex");
  const server: FastifyInstance = createControlServer({
    manager,
    history,
    token,
    readiness: () => manager.names(),
    metrics: async () => ({ contentType: metrics.contentType, text: await metrics.text() }),
    info: {
      pid: process.pid,
      startedAt: Date.now(),
      stateDir: manager.stateDir,
      config: options.label,
    },
  });
  await server.listen({ host: options.host, port: options.port });
  const { port } = server.server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  const url = `http://${host}:${port}`;
  const answer = await server.inject({
    method: "POST",
    url: "/v1/inspector/login",
    headers: { authorization: `Bearer ${token}`, host: `${host}:${port}` },
  });
  const { url: loginUrl } = answer.json<{ url: string }>();
  return {
    loginUrl,
    url,
    token,
    close: async () => {
      await server.close();
      history.close();
    },
  };
}

/**
 * Paces a run: before the timer due at simulated `due` fires, waits until `speed` × the wall
 * time since the first call has passed that far. `speed` 60 shows a simulated hour in a minute.
 *
 * @example
 * await runSimulation({ ...options, pace: pacer(600) });
 */
export function pacer(speed: number): (due: number) => Promise<void> {
  let origin: { simulated: number; wall: number } | undefined;
  return async (due) => {
    origin ??= { simulated: due, wall: performance.now() };
    const wait = origin.wall + (due - origin.simulated) / speed - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
  };
}
