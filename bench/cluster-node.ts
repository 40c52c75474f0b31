/**
 * The pieces of the cluster benchmark (bench/cluster.ts) that start things: a nats-server of its
 * own on a free loopback port, and nodes — a DaemonManager with an idle in-process daemon, a real
 * journal in a temporary folder and a Cluster — as `warden up` would make them.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../actors/clock.ts";
import { Cluster } from "../runtime/cluster/cluster.ts";
import { clusterSettings } from "../runtime/cluster/cluster-settings.ts";
import { Journal } from "../runtime/journal/journal.ts";
import { silentLogger } from "../runtime/logger.ts";
import { DaemonManager } from "../runtime/manager/daemon-manager.ts";

/** The nodes' `cluster.ttlMs`: the failover measure's lease TTL. */
export const TTL_MS = 3_000;
const SECRET = "bench-secret-0123456789";

const folders: string[] = [];
const folder = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  folders.push(dir);
  return dir;
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startNats(): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const args = ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", folder("bench-nats-")];
  const child = spawn("nats-server", args, { stdio: "ignore" });
  for (let tries = 0; ; tries++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect(port, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (up) break;
    if (tries > 300) throw new Error("nats-server did not start");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { url: `nats://127.0.0.1:${port}`, stop: () => child.kill("SIGTERM") };
}

const idle = () => ({ start: () => {}, stop: () => {} });

export interface BenchNode {
  manager: DaemonManager;
  cluster: Cluster;
  close(): Promise<void>;
}

export async function startNode(
  url: string,
  node: string,
  singletons: string[] = [],
): Promise<BenchNode> {
  const journal = Journal.open(folder(`bench-${node}-`));
  const manager = new DaemonManager({ journal, logger: silentLogger() });
  manager.register("worker", idle());
  for (const name of singletons) manager.register(name, idle());
  const settings = clusterSettings(
    { nats: url, node, ttlMs: TTL_MS, secret: SECRET, events: ["BENCH_EVENT"] },
    join(tmpdir(), "warden.config.json"),
  );
  const cluster = new Cluster({
    settings,
    manager,
    logger: silentLogger(),
    version: "bench",
    profile: null,
    clock: systemClock,
    singletons,
  });
  await manager.start("worker");
  cluster.start();
  return {
    manager,
    cluster,
    close: async () => {
      await manager.close();
      await cluster.close();
      journal.close();
    },
  };
}

export async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Removes every temporary folder made so far (the nats-server's store, the journals). */
export function removeFolders(): void {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
}
