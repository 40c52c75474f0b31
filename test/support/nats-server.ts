/**
 * A real `nats-server -js` for tests: on a free 127.0.0.1 port, with its own store directory,
 * stopped by its PID (never by name). It can be stopped and started again on the same port and
 * store, to test what survives a NATS restart, and frozen (SIGSTOP) to test a server that hangs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { freePort } from "./process-harness.ts";

/** How long a server may take to accept connections. */
const READY_MS = 15_000;

export interface NatsServer {
  /** `nats://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** The JetStream store directory (`-sd`). */
  storeDir: string;
  /** The running server's pid, or undefined while stopped. */
  pid(): number | undefined;
  /** SIGTERM by PID (SIGKILL after 5 s); resolves once it has exited. Idempotent. */
  stop(): Promise<void>;
  /** Starts it again on the same port and store; resolves once it accepts connections. */
  start(): Promise<void>;
}

/**
 * Starts a server and resolves once it accepts connections on its port.
 *
 * @example
 * const nats = await startNatsServer();
 * // ... nats.url
 * await nats.stop();
 */
export async function startNatsServer(options: { args?: string[] } = {}): Promise<NatsServer> {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), "warden-nats-"));
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = "";
  const server: NatsServer = {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    pid: () => (child?.exitCode === null && child.signalCode === null ? child.pid : undefined),
    stop: async () => {
      const running = child;
      if (running === undefined || running.exitCode !== null || running.signalCode !== null) {
        return exited;
      }
      // A frozen server must be woken to hear SIGTERM.
      running.kill("SIGCONT");
      running.kill("SIGTERM");
      const timer = setTimeout(() => running.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
    start: async () => {
      const args = ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", storeDir];
      const started = spawn("nats-server", [...args, ...(options.args ?? [])], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      child = started;
      started.stdout?.setEncoding("utf8").on("data", (text: string) => (output += text));
      started.stderr?.setEncoding("utf8").on("data", (text: string) => (output += text));
      exited = new Promise((resolve) => started.once("exit", () => resolve()));
      await acceptsConnections(port, started, () => output);
    },
  };
  await server.start();
  return server;
}

/**
 * Call at the top of a test file: `nats()` starts a server that is stopped, and its store
 * removed, after the test.
 */
export function natsServerPerTest(): (options?: { args?: string[] }) => Promise<NatsServer> {
  const servers: NatsServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      await server.stop();
      rmSync(server.storeDir, { recursive: true, force: true });
    }
  });
  return async (options) => {
    const server = await startNatsServer(options);
    servers.push(server);
    return server;
  };
}

/** Resolves once `port` accepts a TCP connection; rejects if `child` exits first or too late. */
async function acceptsConnections(
  port: number,
  child: ChildProcess,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + READY_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`nats-server exited (${child.exitCode ?? child.signalCode}):\n${output()}`);
    }
    if (await connects(port)) return;
    if (Date.now() > deadline) throw new Error(`nats-server not ready in ${READY_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
