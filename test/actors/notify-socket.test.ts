/**
 * The notify socket with real Unix sockets: what a daemon can make the manager hold is bounded
 * (connections, bytes queued toward subscribers that do not read), its directory must be
 * private, and a socket file that vanished can be put back.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  MAX_NOTIFY_CONNECTIONS,
  MAX_PENDING_WRITE_BYTES,
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  MAX_TOTAL_PENDING_WRITE_BYTES,
  NotifySocket,
} from "../../actors/notify-socket.ts";
import type { NotifyMessage } from "../../actors/notify-message.ts";
import { eventually } from "../support/process-harness.ts";

let root: string;
let notify: NotifySocket;
let clients: Socket[];
let messages: NotifyMessage[];
let invalid: string[];
/** A bus of one type: every delivery function subscribed, whatever its type. */
let subscribers: Set<(json: string) => void>;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "warden-notify-"));
  clients = [];
  messages = [];
  invalid = [];
  subscribers = new Set();
  notify = socketAt(join(root, "run", "daemon.sock"));
});

afterEach(async () => {
  for (const client of clients) client.destroy();
  await notify.close();
  rmSync(root, { recursive: true, force: true });
});

function socketAt(path: string): NotifySocket {
  return new NotifySocket({
    path,
    onMessage: (message) => messages.push(message),
    onInvalid: (error) => invalid.push(error),
    subscribe: (_type, deliver) => {
      subscribers.add(deliver);
      return () => subscribers.delete(deliver);
    },
  });
}

/** A client connection, open or refused; errors (a reset when refused) are expected. */
async function client(path = notify.path): Promise<{ socket: Socket; closed: () => boolean }> {
  const socket = connect(path);
  clients.push(socket);
  socket.on("error", () => {});
  let closed = false;
  socket.once("close", () => (closed = true));
  await new Promise<void>((resolve) => {
    socket.once("connect", resolve);
    socket.once("close", resolve);
  });
  return { socket, closed: () => closed };
}

const publish = (json: string) => {
  for (const deliver of subscribers) deliver(json);
};

describe("NotifySocket: bounds", () => {
  it(`refuses connections beyond ${MAX_NOTIFY_CONNECTIONS} at once, and counts them`, async () => {
    await notify.listen();
    const extra = 36;
    const opened = await Promise.all(
      Array.from({ length: MAX_NOTIFY_CONNECTIONS + extra }, () => client()),
    );
    await eventually(() => notify.refusedConnections === extra, 5_000, "the refusals");
    expect(notify.connectionCount).toBe(MAX_NOTIFY_CONNECTIONS);
    // The refused ones are closed by the manager, without a word.
    await eventually(
      () => opened.filter(({ closed }) => closed()).length === extra,
      5_000,
      "the refused connections to close",
    );

    // A connection that ends makes room for a new one.
    opened[0]!.socket.destroy();
    await eventually(() => notify.connectionCount < MAX_NOTIFY_CONNECTIONS, 5_000, "room");
    const late = await client();
    late.socket.write("READY=1\n");
    await eventually(() => messages.length === 1, 5_000, "READY=1 from the late connection");
    expect(notify.refusedConnections).toBe(extra);
  });

  it("bounds the bytes queued toward subscribers that do not read, and counts the drops", async () => {
    await notify.listen();
    const stalled = await Promise.all(
      Array.from({ length: MAX_NOTIFY_CONNECTIONS - 1 }, () => client()),
    );
    for (const { socket } of stalled) {
      socket.pause();
      socket.write("SUBSCRIBE=*\n");
    }
    // One subscriber that reads everything.
    const reader = await client();
    let read = 0;
    reader.socket.on("data", (chunk: Buffer) => (read += chunk.length));
    reader.socket.write("SUBSCRIBE=*\n");
    await eventually(() => subscribers.size === MAX_NOTIFY_CONNECTIONS, 5_000, "subscriptions");

    const event = JSON.stringify({ type: "BULK", data: "x".repeat(16 * 1024) });
    const events = 1_000; // 16 MiB for each subscriber
    let peak = 0;
    for (let n = 0; n < events; n++) {
      publish(event);
      peak = Math.max(peak, notify.queuedBytes);
      // A breath now and then lets the reader keep up, as a real bus would.
      if (n % 4 === 3) await new Promise((resolve) => setImmediate(resolve));
    }

    const lineBytes = event.length + 1;
    // Each connection can be over by one event it had nothing queued for.
    expect(peak).toBeLessThanOrEqual(
      MAX_TOTAL_PENDING_WRITE_BYTES + MAX_NOTIFY_CONNECTIONS * lineBytes,
    );
    expect(notify.droppedEvents).toBeGreaterThan((MAX_NOTIFY_CONNECTIONS - 1) * (events / 2));
    await eventually(() => read === events * lineBytes, 10_000, "the reader to get every event");
    expect(MAX_PENDING_WRITE_BYTES).toBeLessThanOrEqual(MAX_TOTAL_PENDING_WRITE_BYTES);
  }, 20_000);

  it(`takes at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} single types per connection`, async () => {
    await notify.listen();
    const { socket } = await client();
    const lines = Array.from({ length: 1_000 }, (_, n) => `SUBSCRIBE=T${n}\n`).join("");
    socket.write(`${lines}SUBSCRIBE=T0\nSUBSCRIBE=*\n`);
    await eventually(() => notify.invalidMessages === 900, 5_000, "the refused subscriptions");
    await eventually(() => messages.length === 102, 5_000, "the accepted ones");
    expect(invalid[0]).toBe(
      `SUBSCRIBE: at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} event types per connection (SUBSCRIBE=* takes them all)`,
    );
    // SUBSCRIBE=* replaced the hundred single ones.
    expect(subscribers.size).toBe(1);
  });
});

describe("NotifySocket: its directory", () => {
  it("creates it with mode 700", async () => {
    await notify.listen();
    expect(statSync(join(root, "run")).mode & 0o777).toBe(0o700);
  });

  it("refuses to listen in one that others may use, naming it", async () => {
    const open = join(root, "open");
    mkdirSync(open);
    chmodSync(open, 0o777);
    const exposed = socketAt(join(open, "daemon.sock"));
    await expect(exposed.listen()).rejects.toThrow(`${open} for notify sockets: its mode is 777`);
  });
});

describe("NotifySocket: repair", () => {
  it("does nothing while the socket file is there, or before listen", async () => {
    expect(await notify.repair()).toBe(false);
    await notify.listen();
    expect(await notify.repair()).toBe(false);
  });

  it("listens again when its directory was deleted; old connections keep working", async () => {
    await notify.listen();
    const old = await client();
    rmSync(root, { recursive: true, force: true });

    expect(await notify.repair()).toBe(true);
    expect(statSync(join(root, "run")).mode & 0o777).toBe(0o700);
    expect(statSync(notify.path).isSocket()).toBe(true);
    const fresh = await client();
    fresh.socket.write("READY=1\n");
    old.socket.write("STATUS=still here\n");
    await eventually(() => messages.length === 2, 5_000, "both messages");
    expect(messages).toContainEqual({ kind: "READY" });
    expect(messages).toContainEqual({ kind: "STATUS", text: "still here" });
    expect(await notify.repair()).toBe(false);
  });

  it("replaces what took the socket file's place", async () => {
    await notify.listen();
    rmSync(notify.path);
    writeFileSync(notify.path, "not a socket");
    expect(await notify.repair()).toBe(true);
    const fresh = await client();
    fresh.socket.write("WATCHDOG=1\n");
    await eventually(() => messages.length === 1, 5_000, "WATCHDOG=1");
  });

  it("a repair that failed (an unsafe directory) is tried again by the next one", async () => {
    await notify.listen();
    const run = join(root, "run");
    rmSync(run, { recursive: true, force: true });
    mkdirSync(run);
    chmodSync(run, 0o777);
    await expect(notify.repair()).rejects.toThrow(`${run} for notify sockets: its mode is 777`);
    chmodSync(run, 0o700);
    expect(await notify.repair()).toBe(true);
    const fresh = await client();
    fresh.socket.write("READY=1\n");
    await eventually(() => messages.length === 1, 5_000, "READY=1");
    await notify.close();
    expect(await notify.repair()).toBe(false);
  });

  it("two repairs at once listen once", async () => {
    await notify.listen();
    rmSync(join(root, "run"), { recursive: true, force: true });
    expect(await Promise.all([notify.repair(), notify.repair()])).toEqual([true, true]);
    const fresh = await client();
    fresh.socket.write("READY=1\n");
    await eventually(() => messages.length === 1, 5_000, "READY=1");
  });
});
