/**
 * The manager's one connection to NATS (SPEC §11), owned by `warden up`. It never stops local
 * supervision: a server that is down or unreachable at start is retried forever, as is one lost
 * later, and meanwhile `problem()` says so (in `/readyz`, `/v1/status` and `warden status`, like
 * the journal's degraded state). Everything that talks to NATS subscribes to `connection$` and
 * works while it holds a connection.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { BehaviorSubject, type Observable } from "rxjs";
import { messageOf } from "../../machines/errors.ts";
import type { Logger } from "../logger.ts";
import { CLUSTER_DEFAULTS } from "./cluster-defaults.ts";
import type { ClusterSettings } from "./cluster-settings.ts";

export type LinkState = "connecting" | "connected" | "disconnected" | "closed";

/** Pings per `ttlMs`: a server that stops answering (frozen, cut off) is noticed within it. */
const PINGS_PER_TTL = 4;

/** Wait before connecting again after the server refused this client outright. */
const RETRY_AFTER_REFUSAL_MS = 5_000;

export class NatsLink {
  private readonly connections = new BehaviorSubject<NatsConnection | undefined>(undefined);
  private nc: NatsConnection | undefined;
  private linkState: LinkState = "connecting";
  private lastError: string | undefined;
  private since: number;
  private closing = false;
  private retry: NodeJS.Timeout | undefined;
  /** The connection while it is up, undefined while it is not. */
  readonly connection$: Observable<NatsConnection | undefined> = this.connections.asObservable();

  constructor(
    private readonly settings: ClusterSettings,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.since = now();
  }

  get state(): LinkState {
    return this.linkState;
  }

  /** The connection while it is up. */
  get current(): NatsConnection | undefined {
    return this.connections.getValue();
  }

  /** The server's version while connected (e.g. "2.9.10"). */
  get serverVersion(): string | undefined {
    return this.linkState === "connected" ? this.nc?.info?.version : undefined;
  }

  /**
   * Starts connecting and returns at once: the first connection may take forever, and the
   * manager supervises meanwhile.
   *
   * @example
   * const link = new NatsLink(settings, logger);
   * link.start();
   */
  start(): void {
    const { servers, ttlMs, connectOptions } = this.settings;
    const pingInterval = Math.max(500, Math.floor(ttlMs / PINGS_PER_TTL));
    connect({
      ...connectOptions,
      servers,
      name: `warden ${this.settings.node}`,
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: CLUSTER_DEFAULTS.reconnectWaitMs,
      pingInterval,
      maxPingOut: 2,
      timeout: Math.max(1_000, Math.floor(ttlMs / 3)),
    }).then(
      (nc) => this.connected(nc),
      (error: unknown) => this.failedForGood(error),
    );
  }

  /**
   * What is wrong with the link, for `/readyz` and `warden status`; undefined while connected.
   *
   * @example
   * link.problem(); // "cluster: NATS nats://127.0.0.1:4222 unreachable for 12 s (…); supervising locally"
   */
  problem(): string | undefined {
    if (this.linkState === "connected" || this.linkState === "closed") return undefined;
    const seconds = Math.round((this.now() - this.since) / 1000);
    const what = this.linkState === "connecting" ? "not reached yet" : "connection lost";
    const why = this.lastError !== undefined ? ` (${this.lastError})` : "";
    return (
      `cluster: NATS ${this.settings.servers.join(",")} ${what} for ${seconds} s${why}; ` +
      "retrying, daemons are supervised locally meanwhile"
    );
  }

  /** Closes the connection (flushing what it holds); idempotent. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.retry);
    this.enter("closed");
    const nc = this.nc;
    this.connections.next(undefined);
    this.connections.complete();
    if (nc === undefined) return;
    try {
      await nc.close();
    } catch {
      // Closing a connection that is already gone has nothing left to report.
    }
  }

  private connected(nc: NatsConnection): void {
    if (this.closing) {
      void nc.close().catch(() => {});
      return;
    }
    this.nc = nc;
    this.enter("connected");
    this.logger.info(
      `cluster: connected to NATS ${nc.getServer()} (server ${nc.info?.version ?? "?"}) as node ${this.settings.node}`,
    );
    this.connections.next(nc);
    void this.watchStatus(nc);
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (this.closing) return;
      if (status.type === "disconnect") {
        this.enter("disconnected");
        this.logger.warn(
          `cluster: lost NATS ${status.server}; retrying, daemons are supervised locally`,
        );
        this.connections.next(undefined);
      } else if (status.type === "reconnect") {
        this.enter("connected");
        this.lastError = undefined;
        this.logger.info(`cluster: reconnected to NATS ${status.server}`);
        this.connections.next(nc);
      } else if (status.type === "error") {
        this.lastError = messageOf(status.error);
      } else if (status.type === "staleConnection") {
        this.lastError = "the server stopped answering pings";
      }
    }
  }

  /**
   * A first connection refused for good (e.g. bad credentials: the client does not retry those):
   * said, and tried again later, while the manager keeps supervising.
   */
  private failedForGood(error: unknown): void {
    if (this.closing) return;
    const said = this.lastError;
    this.lastError = messageOf(error);
    // Said once per reason: the same refusal every few seconds would fill the log.
    if (this.lastError !== said) {
      this.logger.error(`cluster: cannot connect to NATS: ${this.lastError}; trying again`);
    }
    this.retry = setTimeout(() => this.start(), RETRY_AFTER_REFUSAL_MS);
    this.retry.unref();
  }

  private enter(state: LinkState): void {
    if (state !== this.linkState) this.since = this.now();
    this.linkState = state;
  }
}
