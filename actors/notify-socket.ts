/**
 * The notify socket of one process daemon (SPEC §4, docs/notify-protocol.md): a Unix stream
 * socket on which the daemon writes newline-separated messages. Each valid message goes to
 * `onMessage`; a malformed one is counted and handed to `onInvalid`, and the connection stays
 * open. `SUBSCRIBE=` is served here: matching events are written back as JSON lines.
 */
import { mkdirSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { dirname } from "node:path";
import {
  MAX_NOTIFY_LINE_BYTES,
  isBlankNotifyLine,
  parseNotifyMessage,
  type NotifyMessage,
} from "../runtime/notify-message.ts";

/** Events written back to a subscriber are dropped while this much is still unsent. */
const MAX_PENDING_WRITE_BYTES = 1024 * 1024;

export interface NotifySocketOptions {
  path: string;
  onMessage(message: NotifyMessage): void;
  onInvalid(error: string, line: string): void;
  /**
   * Subscribes `deliver` to events of `type` ("*" for all); returns the unsubscribe. Each
   * delivered value is one JSON line without its newline.
   */
  subscribe(type: string, deliver: (json: string) => void): () => void;
}

interface Connection {
  socket: Socket;
  buffered: string;
  /** Inside an overlong line, which is dropped up to its end. */
  skipping: boolean;
  /** Event type (or "*") → unsubscribe; "*" replaces the single types it covers. */
  subscriptions: Map<string, () => void>;
}

export class NotifySocket {
  private server: Server | undefined;
  private readonly connections = new Set<Connection>();
  /** Malformed messages since the socket was created. */
  invalidMessages = 0;
  /** Events not written back to a subscriber because it did not read them. */
  droppedEvents = 0;

  constructor(private readonly options: NotifySocketOptions) {}

  get path(): string {
    return this.options.path;
  }

  /** Starts listening; a stale socket file left by an earlier manager is replaced. */
  async listen(): Promise<void> {
    if (this.server) return;
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    rmSync(this.path, { force: true });
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.path, () => {
        server.off("error", reject);
        resolve();
      });
    });
    server.on("error", () => {});
    this.server = server;
  }

  /** Closes every connection: they belong to an instance that is gone. */
  dropConnections(): void {
    for (const connection of [...this.connections]) this.drop(connection);
  }

  async close(): Promise<void> {
    this.dropConnections();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(this.path, { force: true });
  }

  private accept(socket: Socket): void {
    const connection: Connection = {
      socket,
      buffered: "",
      skipping: false,
      subscriptions: new Map(),
    };
    this.connections.add(connection);
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => this.receive(connection, chunk));
    socket.on("close", () => this.drop(connection));
    socket.on("error", () => this.drop(connection));
  }

  private receive(connection: Connection, chunk: string): void {
    if (connection.skipping) {
      const newline = chunk.indexOf("\n");
      if (newline < 0) return;
      connection.skipping = false;
      chunk = chunk.slice(newline + 1);
    }
    connection.buffered += chunk;
    let newline = connection.buffered.indexOf("\n");
    while (newline >= 0) {
      const line = connection.buffered.slice(0, newline).replace(/\r$/, "");
      connection.buffered = connection.buffered.slice(newline + 1);
      this.handle(connection, line);
      newline = connection.buffered.indexOf("\n");
    }
    if (Buffer.byteLength(connection.buffered) > MAX_NOTIFY_LINE_BYTES) {
      // The rest of the overlong line is skipped up to its newline.
      this.invalid(`line longer than ${MAX_NOTIFY_LINE_BYTES} bytes`, connection.buffered);
      connection.buffered = "";
      connection.skipping = true;
    }
  }

  private handle(connection: Connection, line: string): void {
    if (isBlankNotifyLine(line)) return;
    const parsed = parseNotifyMessage(line);
    if (!parsed.ok) {
      this.invalid(parsed.error, line);
      return;
    }
    if (parsed.message.kind === "SUBSCRIBE") this.subscribe(connection, parsed.message.eventType);
    this.options.onMessage(parsed.message);
  }

  /** One delivery per event and connection, however many subscriptions match it. */
  private subscribe(connection: Connection, type: string): void {
    const { subscriptions, socket } = connection;
    if (subscriptions.has(type) || subscriptions.has("*")) return;
    if (type === "*") {
      for (const unsubscribe of subscriptions.values()) unsubscribe();
      subscriptions.clear();
    }
    const unsubscribe = this.options.subscribe(type, (json) => {
      if (socket.destroyed) return;
      if (socket.writableLength > MAX_PENDING_WRITE_BYTES) {
        this.droppedEvents++;
        return;
      }
      socket.write(`${json}\n`);
    });
    subscriptions.set(type, unsubscribe);
  }

  private invalid(error: string, line: string): void {
    this.invalidMessages++;
    this.options.onInvalid(error, line.length > 200 ? `${line.slice(0, 200)}…` : line);
  }

  private drop(connection: Connection): void {
    if (!this.connections.delete(connection)) return;
    for (const unsubscribe of connection.subscriptions.values()) unsubscribe();
    connection.subscriptions.clear();
    connection.socket.destroy();
  }
}
