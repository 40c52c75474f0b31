/**
 * The notify socket of one process daemon (SPEC §4, docs/notify-protocol.md): a Unix stream
 * socket on which the daemon writes newline-separated messages. Each valid message goes to
 * `onMessage`; a malformed one is counted and handed to `onInvalid`, and the connection stays
 * open. `SUBSCRIBE=` is served here: matching events are written back as JSON lines; and the
 * manager's own questions (`HEALTH?`) go out through `broadcast`.
 *
 * Whatever the daemon does, what it makes the manager hold is bounded (SPEC §13): at most
 * MAX_NOTIFY_CONNECTIONS connections (more are closed at once and counted), and events toward
 * subscribers that do not read are dropped (and counted) once a connection, or all of them
 * together, have too much queued. The socket lives in a private directory (mode 0700, ours).
 */
import { lstatSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { dirname } from "node:path";
import {
  MAX_NOTIFY_LINE_BYTES,
  isBlankNotifyLine,
  parseNotifyMessage,
  type NotifyMessage,
} from "./notify-message.ts";
import { ensurePrivateDirectory } from "./private-directory.ts";
import { WriteBudget, type WriteAccount } from "./write-budget.ts";

/** Connections one daemon may have open at once; more are closed as they come. */
export const MAX_NOTIFY_CONNECTIONS = 64;
/** Event types one connection may subscribe to one by one (`SUBSCRIBE=*` covers them all). */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 100;
/** Events toward one connection are dropped while this much is queued for it. */
export const MAX_PENDING_WRITE_BYTES = 1024 * 1024;
/** Events toward any connection are dropped while this much is queued for all of them. */
export const MAX_TOTAL_PENDING_WRITE_BYTES = 4 * 1024 * 1024;

export interface NotifySocketOptions {
  path: string;
  onMessage(message: NotifyMessage): void;
  onInvalid(error: string, line: string): void;
  /**
   * Subscribes `deliver` to events of `type` ("*" for all); returns the unsubscribe. Each
   * delivered value is one JSON line without its newline.
   */
  subscribe(type: string, deliver: (json: string) => void): () => void;
  /** A connection closed (or was dropped); `connectionCount` already leaves it out. */
  onClose?(): void;
}

interface Connection {
  socket: Socket;
  buffered: string;
  /** Inside an overlong line, which is dropped up to its end. */
  skipping: boolean;
  /** Event type (or "*") → unsubscribe; "*" replaces the single types it covers. */
  subscriptions: Map<string, () => void>;
  /** What is queued toward it, for the write budget. */
  queue: WriteAccount;
}

export class NotifySocket {
  private server: Server | undefined;
  private readonly connections = new Set<Connection>();
  private readonly budget = new WriteBudget(MAX_PENDING_WRITE_BYTES, MAX_TOTAL_PENDING_WRITE_BYTES);
  private repairing: Promise<boolean> | undefined;
  /** Between listen() and close(): a listener that is gone or failed should be put back. */
  private wanted = false;
  /** Malformed messages since the socket was created. */
  invalidMessages = 0;
  /** Events not written back to a subscriber because it did not read them. */
  droppedEvents = 0;
  /** Connections closed at once because MAX_NOTIFY_CONNECTIONS were open. */
  refusedConnections = 0;

  constructor(private readonly options: NotifySocketOptions) {}

  get path(): string {
    return this.options.path;
  }

  /** Connections open now. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Bytes of events written to subscribers that Node still holds (not yet in the kernel). */
  get queuedBytes(): number {
    let bytes = 0;
    for (const { socket } of this.connections) bytes += socket.writableLength;
    return bytes;
  }

  /**
   * Starts listening; a stale socket file left by an earlier manager is replaced. Rejects with
   * an UnsafeDirectoryError when the socket's directory is not ours alone.
   */
  async listen(): Promise<void> {
    await this.repairing?.catch(() => {});
    if (this.server) return;
    this.server = await this.bind();
    this.wanted = true;
  }

  /**
   * Listens again when the socket file is gone (its directory was deleted) or something else
   * took its place: closes the old listener, re-creates the directory (0700) and the socket.
   * Open connections are kept. True when it repaired, false when there was nothing to do (not
   * listening, or the socket is there). When it rejects, a later call tries again.
   *
   * @example
   * if (await notify.repair()) logger.warn("the notify socket was re-created");
   */
  async repair(): Promise<boolean> {
    if (this.repairing) return this.repairing;
    const old = this.server;
    if (!this.wanted || (old && isSocket(this.path))) return false;
    this.server = undefined;
    // Stops accepting at once; its callback would wait for the open connections, which stay.
    old?.close();
    this.repairing = this.bind()
      .then((server) => {
        this.server = server;
        return true;
      })
      .finally(() => (this.repairing = undefined));
    return this.repairing;
  }

  /**
   * Writes `line` and a `\n` to every open connection, within the same write budget as events
   * (a connection that does not read gets nothing more once too much is queued toward it).
   * Returns how many connections it was written to.
   *
   * @example
   * if (notify.broadcast("HEALTH?") === 0) fail("nobody to ask");
   */
  broadcast(line: string): number {
    let written = 0;
    for (const connection of this.connections) {
      if (connection.socket.destroyed) continue;
      if (this.budget.write(connection.socket, `${line}\n`, connection.queue)) written++;
    }
    return written;
  }

  /** Closes every connection: they belong to an instance that is gone. */
  dropConnections(): void {
    for (const connection of [...this.connections]) this.drop(connection);
  }

  async close(): Promise<void> {
    // A repair under way would listen again behind our back.
    await this.repairing?.catch(() => {});
    this.wanted = false;
    this.dropConnections();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(this.path, { force: true });
  }

  private async bind(): Promise<Server> {
    ensurePrivateDirectory(dirname(this.path));
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
    return server;
  }

  private accept(socket: Socket): void {
    if (this.connections.size >= MAX_NOTIFY_CONNECTIONS) {
      this.refusedConnections++;
      socket.destroy();
      return;
    }
    const connection: Connection = {
      socket,
      buffered: "",
      skipping: false,
      subscriptions: new Map(),
      queue: WriteBudget.account(),
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
    if (
      parsed.message.kind === "SUBSCRIBE" &&
      !this.subscribe(connection, parsed.message.eventType)
    ) {
      this.invalid(
        `SUBSCRIBE: at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} event types per connection (SUBSCRIBE=* takes them all)`,
        line,
      );
      return;
    }
    this.options.onMessage(parsed.message);
  }

  /**
   * One delivery per event and connection, however many subscriptions match it. False when the
   * connection has as many subscriptions as it may.
   */
  private subscribe(connection: Connection, type: string): boolean {
    const { subscriptions } = connection;
    if (subscriptions.has(type) || subscriptions.has("*")) return true;
    if (type !== "*" && subscriptions.size >= MAX_SUBSCRIPTIONS_PER_CONNECTION) return false;
    if (type === "*") {
      for (const unsubscribe of subscriptions.values()) unsubscribe();
      subscriptions.clear();
    }
    const unsubscribe = this.options.subscribe(type, (json) => this.deliver(connection, json));
    subscriptions.set(type, unsubscribe);
    return true;
  }

  /** One event line, unless too much is queued toward this connection or all of them. */
  private deliver(connection: Connection, json: string): void {
    if (connection.socket.destroyed) return;
    if (!this.budget.write(connection.socket, `${json}\n`, connection.queue)) this.droppedEvents++;
  }

  private invalid(error: string, line: string): void {
    this.invalidMessages++;
    this.options.onInvalid(error, line.length > 200 ? `${line.slice(0, 200)}…` : line);
  }

  private drop(connection: Connection): void {
    if (!this.connections.delete(connection)) return;
    this.budget.release(connection.queue);
    for (const unsubscribe of connection.subscriptions.values()) unsubscribe();
    connection.subscriptions.clear();
    connection.socket.destroy();
    this.options.onClose?.();
  }
}

function isSocket(path: string): boolean {
  try {
    return lstatSync(path).isSocket();
  } catch {
    // Gone, or a parent that is no longer a directory: either way, not our socket.
    return false;
  }
}
