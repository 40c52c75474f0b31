import type { Observable, Subscription } from "rxjs";
import type { Envelope, EventData } from "../machines/envelope.ts";
import type { ResourceUnits } from "../machines/resource-book.ts";

/** Structured logging for a daemon; every line carries the daemon's name. */
export interface DaemonLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Publish and subscribe on the event bus. A handler that throws never harms anyone else. */
export interface BusClient {
  publish<K extends string>(type: K, data: EventData<K>): Envelope<EventData<K>>;
  subscribe<K extends string>(
    type: K | "*",
    handler: (event: Envelope<EventData<K>>) => void | Promise<void>,
  ): Subscription;
  /** The events of one type (or "*") as an Observable. */
  on<K extends string>(type: K | "*"): Observable<Envelope<EventData<K>>>;
}

/** What a daemon is handed at start (SPEC §4). */
export interface DaemonContext {
  name: string;
  /** Aborted when this instance must stop: a cancelled start, a stop, a restart. */
  signal: AbortSignal;
  bus: BusClient;
  logger: DaemonLogger;
  /**
   * The units of the machine's resources this instance holds (SPEC §6a), by resource name, e.g.
   * `{ gpu: [0, 2] }`; empty when it requires none.
   */
  resources: ResourceUnits;
  /** Proof of life for `heartbeatTimeoutMs`. */
  heartbeat(): void;
  /** Report a crash after start; the supervisor applies the restart policy. */
  fail(error: unknown): void;
}

export interface HealthReport {
  healthy: boolean;
  detail?: string;
}

/**
 * An in-process daemon: any object with `start` and `stop`.
 *
 * @example
 * const ticker: InProcessDaemon = {
 *   async start(ctx) { this.timer = setInterval(() => ctx.bus.publish("TICK", {}), 1000); },
 *   async stop() { clearInterval(this.timer); },
 * };
 */
export interface InProcessDaemon {
  /** Resolves once the daemon is ready; rejects (or throws) if it cannot start. */
  start(ctx: DaemonContext): Promise<void> | void;
  stop(ctx: DaemonContext): Promise<void> | void;
  healthCheck?(): Promise<HealthReport> | HealthReport;
  getMetrics?(): Record<string, number | string>;
}

/** A module's default export: the daemon itself, or a factory given the definition's `options`. */
export type DaemonModuleExport =
  InProcessDaemon | ((options: unknown) => InProcessDaemon | Promise<InProcessDaemon>);
