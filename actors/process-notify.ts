/**
 * The notify socket of a process daemon and what its messages do (SPEC §4, docs/notify-protocol.md):
 * `READY=1` and `WATCHDOG=1` go to the current instance (through `onReady` and `onHeartbeat`),
 * `STATUS=` and `METRICS=` are kept for status, `EVENT=` is published on the bus as the daemon,
 * `SUBSCRIBE=` connections get the bus's events back (actors/notify-socket.ts), and `HEALTH=`
 * answers the manager's `HEALTH?` (actors/health-probes/notify-probe.ts). Malformed messages are
 * counted, a few logged in full, then summarised now and then.
 */
import type { BusClient, DaemonLogger } from "./daemon-types.ts";
import type { HealthResult } from "./health-check-loop.ts";
import { NotifyHealthQuestion } from "./health-probes/notify-probe.ts";
import { mergeMetrics } from "./daemon-metrics.ts";
import { MAX_METRICS_PER_DAEMON, type NotifyMessage } from "./notify-message.ts";
import { NotifySocket } from "./notify-socket.ts";
import { notifySocketPath } from "./notify-socket-path.ts";
import { RateLimitedWarning } from "./rate-limited-warning.ts";
import { messageOf } from "../machines/errors.ts";

export interface ProcessNotifyOptions {
  name: string;
  stateDir: string;
  /** The bus as the daemon sees it: what it publishes has the daemon as its source. */
  bus: BusClient;
  logger: DaemonLogger;
  /** `READY=1` was received. */
  onReady(): void;
  /** `WATCHDOG=1` was received. */
  onHeartbeat(): void;
}

/** What status shows of the notify side of a process daemon. */
export interface NotifyDetails {
  statusText: string | undefined;
  metrics: Record<string, number | string>;
  invalidNotifyMessages: number;
  droppedEvents: number;
  refusedConnections: number;
}

export class ProcessNotify {
  readonly socket: NotifySocket;
  private readonly health: NotifyHealthQuestion;
  private statusText: string | undefined;
  /** Its METRICS=, merged in place, bounded (daemon-metrics.ts); going over is told once. */
  private metrics: Record<string, number | string> = {};
  private toldTooManyMetrics = false;
  /** EVENT= lines the bus refused (EVENT_ROUTER's hold full): counted, a few logged. */
  private refusedEvents = 0;
  private readonly refused: RateLimitedWarning;

  constructor(private readonly options: ProcessNotifyOptions) {
    const { name, stateDir, bus, logger } = options;
    // All counted (invalidMessages); a few logged in full, then a summary now and then.
    const malformed = new RateLimitedWarning({
      what: "malformed notify messages",
      warn: (message, fields) => logger.warn(message, fields),
    });
    this.socket = new NotifySocket({
      path: notifySocketPath(stateDir, name),
      onMessage: (message) => this.dispatch(message),
      onInvalid: (error, line) => malformed.warn("malformed notify message", { error, line }),
      subscribe: (type, deliver) => {
        const subscription = bus.subscribe(type, (event) => {
          deliver(JSON.stringify(event));
        });
        return () => subscription.unsubscribe();
      },
      onClose: () => this.health.connectionClosed(),
    });
    this.health = new NotifyHealthQuestion(this.socket);
    this.refused = new RateLimitedWarning({
      what: "events refused by the bus",
      warn: (message, fields) => logger.warn(message, fields),
    });
  }

  get path(): string {
    return this.socket.path;
  }

  /** Listens (once), and forgets what the previous instance said and its connections. */
  async beginInstance(): Promise<void> {
    await this.socket.listen();
    this.socket.dropConnections();
    this.statusText = undefined;
    this.metrics = {};
  }

  /**
   * Writes `HEALTH?` on the daemon's connections; resolves with its answer, or unhealthy when it
   * has no connection, closes it first, or `signal` aborts.
   */
  askHealth(signal: AbortSignal): Promise<HealthResult> {
    return this.health.ask(signal);
  }

  details(): NotifyDetails {
    return {
      statusText: this.statusText,
      metrics: { ...this.metrics },
      invalidNotifyMessages: this.socket.invalidMessages,
      droppedEvents: this.socket.droppedEvents,
      refusedConnections: this.socket.refusedConnections,
    };
  }

  private dispatch(message: NotifyMessage): void {
    switch (message.kind) {
      case "READY":
        this.options.onReady();
        return;
      case "WATCHDOG":
        this.options.onHeartbeat();
        return;
      case "STATUS":
        this.statusText = message.text === "" ? undefined : message.text;
        return;
      case "EVENT":
        try {
          this.options.bus.publish(message.type, message.data as never);
        } catch (error) {
          // The bus said no (EVENT_ROUTER's hold is full): the daemon's event is not lost
          // silently, and the manager is not harmed.
          this.refusedEvents++;
          this.refused.warn("an EVENT= of the daemon was refused by the bus", {
            error: messageOf(error),
            type: message.type,
            refused: this.refusedEvents,
          });
        }
        return;
      case "METRICS":
        if (mergeMetrics(this.metrics, message.metrics) > 0 && !this.toldTooManyMetrics) {
          this.toldTooManyMetrics = true;
          this.options.logger.warn(
            `the daemon reports more than ${MAX_METRICS_PER_DAEMON} metrics; further new names are ignored`,
            { limit: MAX_METRICS_PER_DAEMON },
          );
        }
        return;
      case "HEALTH":
        this.health.answer(message);
        return;
      case "SUBSCRIBE":
        return;
    }
  }
}
