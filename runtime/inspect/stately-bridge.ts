/**
 * `warden up --inspect <ws-url>` (SPEC §10, P9): streams the manager's actor system to Stately's
 * inspector through @statelyai/inspect's WebSocket protocol — never its Sky inspector, which
 * sends the data off the host. The adapter is warden's own so that a viewer connecting late (or
 * again) first gets every live actor and its current state (actor-replay.ts), then the live
 * events; it reconnects every `retryMs` while the viewer is away, and drops events (counted)
 * while more than `maxBufferedBytes` wait on a slow socket. Lifecycle actors are named after
 * their daemon (their systemId) in the viewer.
 */
import { createInspector, type StatelyInspectionEvent } from "@statelyai/inspect";
import stringify from "safe-stable-stringify";
import WebSocket from "ws";
import type { InspectionEvent, Observer } from "xstate";
import { WardenError, messageOf } from "../../machines/errors.ts";
import type { Logger } from "../logger.ts";
import { ActorReplay } from "./actor-replay.ts";

export interface StatelyBridgeOptions {
  url: string;
  logger: Logger;
  /** Between two connection attempts. Default 1000 ms. */
  retryMs?: number;
  /** Bytes waiting on the socket beyond which events are dropped. Default 8 MiB. */
  maxBufferedBytes?: number;
}

export interface StatelyBridge {
  /** For `DaemonManagerOptions.inspect`. */
  inspect: Observer<InspectionEvent>;
  /** Events dropped on a slow socket, and actors forgotten beyond the replay's bound. */
  dropped(): number;
  stop(): void;
}

const safe = stringify.configure({ maximumDepth: 20 });

/**
 * Connects to the WebSocket at `url` (a Stately inspector server, e.g.
 * `createInspectorServer()` of `@statelyai/inspect/server`) and feeds it the actor system.
 *
 * @example
 * const bridge = statelyBridge({ url: "ws://127.0.0.1:8080", logger });
 * const manager = new DaemonManager({ inspect: bridge.inspect });
 */
export function statelyBridge(options: StatelyBridgeOptions): StatelyBridge {
  if (!/^wss?:\/\//.test(options.url)) {
    throw new WardenError(
      "WARDEN_ERR_USAGE",
      `--inspect: expected a WebSocket URL (ws://host:port or wss://…), got "${options.url}"`,
    );
  }
  const names = new Map<string, string>();
  const adapter = new ReplayingAdapter(options, names);
  const inspector = createInspector(adapter);
  inspector.start();
  return {
    inspect: {
      next(event) {
        // Named after the daemon in the viewer: its lifecycle actor's systemId.
        if (event.type === "@xstate.actor") {
          const systemId = (event.actorRef as { systemId?: string }).systemId;
          if (systemId !== undefined) names.set(event.actorRef.sessionId, systemId);
        }
        inspector.inspect.next?.(event);
      },
    },
    dropped: () => adapter.droppedEvents + adapter.replay.dropped,
    stop: () => inspector.stop(),
  };
}

/** What `createInspector` asks of an adapter (the library does not export the type). */
type Adapter = Parameters<typeof createInspector>[0];

class ReplayingAdapter implements Adapter {
  readonly replay = new ActorReplay();
  droppedEvents = 0;
  private socket: WebSocket | undefined;
  private open = false;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private saidUnreachable = false;

  constructor(
    private readonly options: StatelyBridgeOptions,
    private readonly names: ReadonlyMap<string, string>,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.socket?.close();
  }

  send(event: StatelyInspectionEvent): void {
    if (event.type === "@xstate.actor") {
      const name = this.names.get(event.sessionId);
      if (name !== undefined) event = { ...event, name };
    }
    this.replay.record(event);
    if (this.open) this.write(event);
  }

  private connect(): void {
    const socket = new WebSocket(this.options.url);
    this.socket = socket;
    socket.on("open", () => {
      this.open = true;
      this.saidUnreachable = false;
      this.options.logger.info(`Stately inspector connected at ${this.options.url}`);
      for (const event of this.replay.events()) this.write(event);
    });
    socket.on("message", () => {});
    socket.on("error", (error) => {
      if (this.saidUnreachable) return;
      this.saidUnreachable = true;
      this.options.logger.warn(
        `Stately inspector at ${this.options.url} unreachable (${messageOf(error)}); retrying`,
      );
    });
    socket.on("close", () => {
      this.open = false;
      if (this.stopped) return;
      this.retry = setTimeout(() => this.connect(), this.options.retryMs ?? 1000);
      this.retry.unref();
    });
  }

  private write(event: StatelyInspectionEvent): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    if (socket.bufferedAmount > (this.options.maxBufferedBytes ?? 8 * 2 ** 20)) {
      this.droppedEvents++;
      return;
    }
    socket.send(safe(event) ?? "null");
  }
}
