/**
 * The example notify clients (examples/notify-clients/) against a real Unix stream socket that
 * plays the manager: what they send must parse, an event they publish comes back to their own
 * subscription as an envelope line, and a broken connection is reopened with the subscriptions.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import readline from "node:readline";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { parseNotifyMessage } from "../../actors/notify-message.ts";
import { repoRoot } from "../support/run-warden.ts";

const CLIENTS = join(repoRoot, "examples/notify-clients");
const TIMEOUT_MS = 10_000;

/** Run by each client: every call, the envelope its subscription receives, a send after a break. */
const PYTHON_SCRIPT = `
import json, sys, threading
sys.path.insert(0, sys.argv[1])
from warden_notify import WardenNotify

notify = WardenNotify()
received = threading.Event()

def on_event(envelope):
    print("ENVELOPE " + json.dumps(envelope), flush=True)
    received.set()

sent = [
    notify.subscribe("MODEL_SAVED", on_event),
    notify.ready(),
    notify.watchdog(),
    notify.status("warming up \\u2713\\nstep 2"),
    notify.event("MODEL_SAVED", {"step": 100, "path": "ckpt/100.pt"}),
    notify.metrics({"loss": 0.25, "phase": "train"}),
]
print("SENT " + json.dumps(sent), flush=True)
if not received.wait(${TIMEOUT_MS / 1000}):
    sys.exit("no envelope")
sys.stdin.readline()  # the test has broken the connection
print("AFTER " + json.dumps(notify.status("after the break")), flush=True)
notify.close()
`;

const NODE_SCRIPT = `
import { once } from "node:events";
const { WardenNotify } = await import(process.argv[2]);

const notify = new WardenNotify();
let resolveReceived;
const received = new Promise((resolve) => (resolveReceived = resolve));
const sent = await Promise.all([
  notify.subscribe("MODEL_SAVED", (envelope) => {
    console.log("ENVELOPE " + JSON.stringify(envelope));
    resolveReceived();
  }),
  notify.ready(),
  notify.watchdog(),
  notify.status("warming up \\u2713\\nstep 2"),
  notify.event("MODEL_SAVED", { step: 100, path: "ckpt/100.pt" }),
  notify.metrics({ loss: 0.25, phase: "train" }),
]);
console.log("SENT " + JSON.stringify(sent));
await received;
await once(process.stdin, "data"); // the test has broken the connection
console.log("AFTER " + JSON.stringify(await notify.status("after the break")));
await notify.close();
process.stdin.destroy();
`;

const EXPECTED_LINES = [
  "SUBSCRIBE=MODEL_SAVED",
  "READY=1",
  "WATCHDOG=1",
  "STATUS=warming up ✓ step 2",
  'EVENT={"type":"MODEL_SAVED","data":{"step":100,"path":"ckpt/100.pt"}}',
  'METRICS={"loss":0.25,"phase":"train"}',
];

/** Without a socket every call is a no-op; the process must also exit on its own. */
const PYTHON_UNSUPERVISED = `
import json, sys
sys.path.insert(0, sys.argv[1])
from warden_notify import WardenNotify
n = WardenNotify()
print("SENT " + json.dumps([n.enabled, n.ready(), n.watchdog(), n.status("x"), n.event("A"),
    n.metrics({"a": 1}), n.subscribe("A", print)]))
n.close()
`;

const NODE_UNSUPERVISED = `
const { WardenNotify } = await import(process.argv[2]);
const n = new WardenNotify();
console.log("SENT " + JSON.stringify([n.enabled, ...(await Promise.all([n.ready(), n.watchdog(),
  n.status("x"), n.event("A"), n.metrics({ a: 1 }), n.subscribe("A", console.log)]))]));
await n.close();
`;

/** Sends and ends without close(): the connection must not keep the process alive. */
const PYTHON_FIRE_AND_FORGET = `
import sys
sys.path.insert(0, sys.argv[1])
from warden_notify import WardenNotify
n = WardenNotify()
print("SENT", n.ready(), n.status("bye"))
`;

const NODE_FIRE_AND_FORGET = `
const { WardenNotify } = await import(process.argv[2]);
const n = new WardenNotify();
n.ready();
console.log("SENT " + (await n.status("bye")));
`;

interface Connection {
  socket: net.Socket;
  lines: string[];
  subscriptions: Set<string>;
  closed: Promise<void>;
}

/** A stand-in for the manager's notify socket: records lines, echoes events to subscribers. */
async function startNotifyServer(path: string) {
  const connections: Connection[] = [];
  let sequence = 0;
  const server = net.createServer((socket) => {
    const connection: Connection = {
      socket,
      lines: [],
      subscriptions: new Set(),
      closed: new Promise((resolve) => socket.on("close", () => resolve())),
    };
    connections.push(connection);
    socket.on("error", () => {});
    readline.createInterface({ input: socket, crlfDelay: Infinity }).on("line", (line) => {
      connection.lines.push(line);
      const parsed = parseNotifyMessage(line);
      if (!parsed.ok) return;
      const message = parsed.message;
      if (message.kind === "SUBSCRIBE") connection.subscriptions.add(message.eventType);
      if (message.kind === "EVENT" && connection.subscriptions.has(message.type)) {
        const envelope = {
          id: `evt-${++sequence}`,
          type: message.type,
          source: "trainer",
          time: 1_732_300_000_000,
          data: message.data,
        };
        socket.write(`${JSON.stringify(envelope)}\n`);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, resolve);
  });
  const close = () => {
    for (const { socket } of connections) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { connections, close };
}

function runScript(command: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(command, args, { env, stdio: ["pipe", "pipe", "pipe"] });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

async function waitUntil(what: string, condition: () => boolean, describe: () => string) {
  const deadline = Date.now() + TIMEOUT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function withinTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function envWithout(name: string): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env[name];
  return env;
}

const children: ChildProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "warden-notify-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const CLIENT_RUNS = [
  {
    language: "Python",
    file: "client.py",
    script: PYTHON_SCRIPT,
    unsupervised: PYTHON_UNSUPERVISED,
    fireAndForget: PYTHON_FIRE_AND_FORGET,
    // -B: importing the client must not leave a __pycache__ in examples/.
    run: (file: string, env: NodeJS.ProcessEnv) => runScript("python3", ["-B", file, CLIENTS], env),
  },
  {
    language: "Node",
    file: "client.mjs",
    script: NODE_SCRIPT,
    unsupervised: NODE_UNSUPERVISED,
    fireAndForget: NODE_FIRE_AND_FORGET,
    run: (file: string, env: NodeJS.ProcessEnv) =>
      runScript(
        process.execPath,
        [file, pathToFileURL(join(CLIENTS, "warden-notify.mjs")).href],
        env,
      ),
  },
];

describe.each(CLIENT_RUNS)("the $language notify client", (clientRun) => {
  const { file, script, unsupervised, fireAndForget, run } = clientRun;
  it("sends every message kind, receives its subscription, and reconnects once broken", async () => {
    const dir = tempDir();
    const socketPath = join(dir, "notify.sock");
    const server = await startNotifyServer(socketPath);
    cleanups.push(server.close);
    writeFileSync(join(dir, file), script);

    const client = run(join(dir, file), { ...process.env, WARDEN_NOTIFY_SOCKET: socketPath });
    const report = () =>
      `${JSON.stringify(server.connections.map((c) => c.lines))}\n${JSON.stringify(client.output())}`;
    await waitUntil(
      "the envelope to arrive",
      () => /^ENVELOPE /m.test(client.output().stdout),
      report,
    );
    await waitUntil("six lines", () => (server.connections[0]?.lines.length ?? 0) >= 6, report);

    const first = server.connections[0]!;
    expect(first.lines).toEqual(EXPECTED_LINES);
    for (const line of first.lines) expect(parseNotifyMessage(line)).toMatchObject({ ok: true });

    const { stdout } = client.output();
    expect(stdout).toMatch(/^SENT \[true, ?true, ?true, ?true, ?true, ?true\]$/m);
    const envelope = JSON.parse(/^ENVELOPE (.*)$/m.exec(stdout)![1]!);
    expect(envelope).toEqual({
      id: "evt-1",
      type: "MODEL_SAVED",
      source: "trainer",
      time: 1_732_300_000_000,
      data: { step: 100, path: "ckpt/100.pt" },
    });

    first.socket.destroy();
    await withinTimeout(first.closed, "the server side to close");
    client.child.stdin!.write("go\n");
    expect(await withinTimeout(client.exited, "the client to exit")).toBe(0);

    expect(client.output().stdout).toMatch(/^AFTER true$/m);
    expect(server.connections).toHaveLength(2);
    expect(server.connections[1]!.lines).toEqual([
      "SUBSCRIBE=MODEL_SAVED",
      "STATUS=after the break",
    ]);
  });

  it("lets the process exit on its own once its messages are sent", async () => {
    const dir = tempDir();
    const socketPath = join(dir, "notify.sock");
    const server = await startNotifyServer(socketPath);
    cleanups.push(server.close);
    writeFileSync(join(dir, file), fireAndForget);
    const client = run(join(dir, file), { ...process.env, WARDEN_NOTIFY_SOCKET: socketPath });
    expect(await withinTimeout(client.exited, "the client to exit by itself")).toBe(0);
    expect(client.output().stdout).toMatch(/^SENT True True$|^SENT true$/m);
    const lines = () => server.connections.flatMap((connection) => connection.lines);
    await waitUntil(
      "both lines",
      () => lines().length >= 2,
      () => JSON.stringify(lines()),
    );
    expect(lines()).toEqual(["READY=1", "STATUS=bye"]);
  });

  it("does nothing, and does not fail, without WARDEN_NOTIFY_SOCKET", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, file), unsupervised);
    const client = run(join(dir, file), envWithout("WARDEN_NOTIFY_SOCKET"));
    expect(await withinTimeout(client.exited, "the client to exit")).toBe(0);
    expect(client.output()).toEqual({
      stdout: expect.stringMatching(/^SENT \[false(, ?false){6}\]\n$/),
      stderr: "",
    });
  });

  it("returns false, and does not fail, when nothing listens on the socket", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, file), unsupervised);
    const missing = join(dir, "nobody-listens.sock");
    const client = run(join(dir, file), { ...process.env, WARDEN_NOTIFY_SOCKET: missing });
    expect(await withinTimeout(client.exited, "the client to exit")).toBe(0);
    expect(client.output()).toEqual({
      stdout: expect.stringMatching(/^SENT \[true(, ?false){6}\]\n$/),
      stderr: "",
    });
  });
});
