/**
 * The HEALTH_SERVER built-in daemon (SPEC §9): the control and health API on `host:port`,
 * announced in `<stateDir>/manager.json` while it listens, with the bearer token of
 * `<stateDir>/token`.
 */
import { isIPv4, isIPv6 } from "node:net";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { ensureToken } from "./api-token.ts";
import { createControlServer, type ControlServerOptions } from "./control-server.ts";
import type { InProcessDaemon } from "../../actors/daemon-types.ts";
import { removeManagerInfo, writeManagerInfo } from "./manager-discovery.ts";
import { messageOf } from "../../machines/errors.ts";

/** The HEALTH_SERVER daemon, with what `warden up` needs beyond a daemon's start and stop. */
export interface HealthServerDaemon extends InProcessDaemon {
  /**
   * Listens now, before the manager starts anything, so that a taken port fails `warden up`
   * at once; the daemon's first start serves on this server.
   */
  bind(): Promise<void>;
  /** The control API's address while it listens. */
  url(): string | undefined;
  /** Writes `token` and `manager.json` again if they are gone (the state directory was deleted). */
  restoreFiles(): void;
}

/** How long a stop lets requests in flight finish before their connections are closed. */
const CLOSE_GRACE_MS = 1000;

export interface HealthServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  stateDir: string;
  serverOptions: Omit<ControlServerOptions, "token" | "info"> & { config?: string };
}

/**
 * The HEALTH_SERVER daemon. `url()` is the API's address while it listens.
 *
 * @example
 * const health = healthServerDaemon({ host: "127.0.0.1", port: 7070, stateDir,
 *   serverOptions: { manager, history, readiness: () => names, metrics, config } });
 * manager.register("HEALTH_SERVER", health);
 */
export function healthServerDaemon(options: HealthServerOptions): HealthServerDaemon {
  const { config, ...serverOptions } = options.serverOptions;
  // The manager's start: the daemon is made as the manager starts, and a restart keeps it.
  const startedAt = Date.now();
  let token: string | undefined;
  let server: FastifyInstance | undefined;
  /** Listening already, bound by bind() before the manager started anything. */
  let bound: FastifyInstance | undefined;
  let url: string | undefined;

  const listening = async (): Promise<FastifyInstance> => {
    token = ensureToken(options.stateDir, token);
    const info = { pid: process.pid, startedAt, stateDir: options.stateDir };
    const instance = createControlServer({
      ...serverOptions,
      token,
      info: config === undefined ? info : { ...info, config },
    });
    try {
      await instance.listen({ host: options.host, port: options.port });
    } catch (error) {
      await instance.close();
      throw error;
    }
    return instance;
  };
  const announce = () => {
    if (url === undefined) return;
    writeManagerInfo(options.stateDir, {
      pid: process.pid,
      url,
      startedAt: new Date(startedAt).toISOString(),
      ...(config === undefined ? {} : { config }),
    });
  };

  return {
    async bind() {
      bound ??= await listening();
    },
    async start(ctx) {
      const instance = bound ?? (await listening());
      bound = undefined;
      // Stopped while it was binding: stop() ran already and must not find it announced.
      if (ctx.signal.aborted) {
        await instance.close();
        return;
      }
      server = instance;
      instance.server.on("error", (error) => ctx.fail(error));
      const { port } = instance.server.address() as AddressInfo;
      url = controlUrl(options.host, port);
      announce();
      if (!isLoopbackHost(options.host)) {
        ctx.logger.warn(
          `the control API listens on ${options.host}:${port} and is reachable from the network; anyone with the token can control this manager`,
          { host: options.host, port },
        );
      }
    },
    async stop(ctx) {
      const instance = server ?? bound;
      server = undefined;
      bound = undefined;
      url = undefined;
      try {
        removeManagerInfo(options.stateDir, process.pid);
      } catch (error) {
        // A read-only or vanished state directory must not keep the server from closing.
        ctx.logger.warn(`cannot remove manager.json: ${messageOf(error)}`);
      }
      if (instance) await closeWithin(instance, CLOSE_GRACE_MS);
    },
    healthCheck() {
      const listening = server?.server.listening ?? false;
      return listening ? { healthy: true } : { healthy: false, detail: "not listening" };
    },
    url: () => url,
    restoreFiles() {
      if (url === undefined) return;
      token = ensureToken(options.stateDir, token);
      announce();
    },
  };
}

/**
 * Closes the server (fastify's preClose ends the event streams); requests still in flight after
 * `graceMs` lose their connection, so a stop is bounded (a request that restarts this very
 * daemon waits for the stop, which waits for the request).
 */
async function closeWithin(server: FastifyInstance, graceMs: number): Promise<void> {
  const closed = server.close();
  const timer = setTimeout(() => server.server.closeAllConnections(), graceMs);
  try {
    await closed;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The URL clients use to reach a server listening on `host`: IPv6 in brackets, and a wildcard
 * address (every interface) replaced by loopback, which a client can connect to.
 *
 * @example
 * controlUrl("::1", 7070); // "http://[::1]:7070"
 * controlUrl("0.0.0.0", 7070); // "http://127.0.0.1:7070"
 */
export function controlUrl(host: string, port: number): string {
  const shown =
    host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "[::1]" : isIPv6(host) ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

/**
 * True for 127.0.0.0/8, ::1 (also IPv4-mapped) and localhost: reachable from this machine only.
 *
 * @example
 * isLoopbackHost("127.0.0.1"); // true
 * isLoopbackHost("0.0.0.0"); // false: every interface
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (bare === "localhost" || bare === "::1") return true;
  const ipv4 = bare.startsWith("::ffff:") ? bare.slice("::ffff:".length) : bare;
  return isIPv4(ipv4) && ipv4.startsWith("127.");
}
