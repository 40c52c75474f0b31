// @ts-check
/**
 * Talk to the warden supervisor over its notify socket (docs/notify-protocol.md).
 * Copy this file next to your daemon: plain ESM, Node 18+, no dependencies.
 *
 * @example
 * import { WardenNotify } from "./warden-notify.mjs";
 *
 * const notify = new WardenNotify(); // reads WARDEN_NOTIFY_SOCKET
 * notify.subscribe("MODEL_SAVED", (envelope) => console.log(envelope.data));
 * await notify.ready();
 * notify.status("warming up");
 * notify.event("MODEL_SAVED", { step: 100 });
 * notify.metrics({ loss: 0.25, phase: "train" });
 * setInterval(() => notify.watchdog(), 10_000); // at least every heartbeatTimeoutMs
 * process.on("SIGTERM", () => notify.close());
 *
 * When WARDEN_NOTIFY_SOCKET is unset (the program is not run by warden) every call does nothing
 * and resolves to false. Messages go out in call order. A send that finds the connection broken
 * reconnects once (sending the subscriptions again) and then gives up, resolving to false: like
 * systemd's sd_notify, notification never throws for a missing supervisor.
 *
 * The connection keeps the process alive only while a message is being sent or a subscription
 * is waiting for events: call close() when a subscribed daemon shuts down.
 */
import net from "node:net";

export const ENV_VAR = "WARDEN_NOTIFY_SOCKET";

/**
 * An event as warden delivers it.
 * @typedef {{ id: string, type: string, source: string, time: number, data: unknown, node?: string }} Envelope
 */

/** @typedef {(envelope: Envelope) => void | Promise<void>} EventCallback */

export class WardenNotify {
  /** @type {net.Socket | undefined} */
  #socket;
  #connections = 0;
  #sending = 0;
  #closed = false;
  /** @type {Map<string, EventCallback[]>} event type (or "*") → callbacks */
  #subscriptions = new Map();

  /** @param {string | undefined} [path] the socket; defaults to $WARDEN_NOTIFY_SOCKET */
  constructor(path = process.env[ENV_VAR]) {
    /** @type {string | undefined} */
    this.path = path || undefined;
  }

  /** True when running under warden. */
  get enabled() {
    return this.path !== undefined && !this.#closed;
  }

  /** @returns {Promise<boolean>} */
  ready() {
    return this.#send("READY=1");
  }

  /** @returns {Promise<boolean>} */
  watchdog() {
    return this.#send("WATCHDOG=1");
  }

  /** @param {string} text  @returns {Promise<boolean>} */
  status(text) {
    // One message is one line: a newline in the text would end it early.
    return this.#send(`STATUS=${String(text).replace(/\r\n|[\r\n]/g, " ")}`);
  }

  /** @param {string} type  @param {unknown} [data]  @returns {Promise<boolean>} */
  event(type, data = null) {
    return this.#send(`EVENT=${JSON.stringify({ type, data })}`);
  }

  /** @param {Record<string, number | string>} values  @returns {Promise<boolean>} */
  metrics(values) {
    return this.#send(`METRICS=${JSON.stringify(values)}`);
  }

  /**
   * Calls `callback(envelope)` for each event of that type ("*": every event).
   * @param {string} eventType  @param {EventCallback} callback  @returns {Promise<boolean>}
   */
  subscribe(eventType, callback) {
    if (!this.enabled) return Promise.resolve(false);
    this.#subscriptions.set(eventType, [...(this.#subscriptions.get(eventType) ?? []), callback]);
    return this.#send(`SUBSCRIBE=${eventType}`);
  }

  /** Sends what is pending, then disconnects. @returns {Promise<void>} */
  close() {
    this.#closed = true;
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket === undefined || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once("close", () => resolve());
      socket.end(() => socket.destroy());
    });
  }

  /** @param {string} line  @returns {Promise<boolean>} */
  async #send(line) {
    if (!this.enabled) return false;
    for (let attempt = 0; attempt < 2; attempt++) {
      const socket = this.#socket ?? this.#connect();
      this.#sending++;
      this.#updateRef(socket);
      const sent = await write(socket, `${line}\n`);
      this.#sending--;
      this.#updateRef(socket);
      if (sent) return true;
      if (this.#socket === socket) this.#socket = undefined;
      socket.destroy();
    }
    return false;
  }

  /** @returns {net.Socket} */
  #connect() {
    const socket = net.createConnection(/** @type {string} */ (this.path));
    // Failures reach the write callbacks, where a send reconnects; without a listener they throw.
    socket.on("error", () => {});
    socket.on("close", () => {
      if (this.#socket === socket) this.#socket = undefined;
    });
    if (this.#connections++ > 0) {
      // A new connection knows nothing of the old one's subscriptions.
      for (const eventType of this.#subscriptions.keys()) socket.write(`SUBSCRIBE=${eventType}\n`);
    }
    let partial = "";
    socket.setEncoding("utf8").on("data", (chunk) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) this.#dispatch(line);
    });
    this.#socket = socket;
    return socket;
  }

  /** @param {net.Socket} socket */
  #updateRef(socket) {
    if (this.#sending > 0 || this.#subscriptions.size > 0) socket.ref();
    else socket.unref();
  }

  /** @param {string} line */
  #dispatch(line) {
    /** @type {Envelope} */
    let envelope;
    try {
      envelope = JSON.parse(line);
    } catch {
      console.error(`warden-notify: ignoring a malformed line: ${line.slice(0, 200)}`);
      return;
    }
    const callbacks = [
      ...(this.#subscriptions.get(envelope?.type) ?? []),
      ...(this.#subscriptions.get("*") ?? []),
    ];
    for (const callback of callbacks) {
      // A callback that throws or rejects must not end the connection or the process.
      Promise.resolve()
        .then(() => callback(envelope))
        .catch((error) => console.error("warden-notify: a subscriber failed:", error));
    }
  }
}

/** @param {net.Socket} socket  @param {string} text  @returns {Promise<boolean>} */
function write(socket, text) {
  return new Promise((resolve) => socket.write(text, (error) => resolve(!error)));
}
