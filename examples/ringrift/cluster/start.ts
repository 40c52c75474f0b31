// The ringrift example as a cluster of three nodes on one machine, with one command
// (`npm run example:ringrift:cluster`, from the repository root): a nats-server with JetStream
// on a free loopback port, then three managers, each with its own state directory and role —
//
//   coordinator  RINGRIFT_ROLE=coordinator    the full set, 60 daemons (--light: a dozen)
//   trainer      RINGRIFT_ROLE=training_node  12 daemons
//   selfplay     RINGRIFT_ROLE=selfplay       6 daemons
//
// — each started with `--profile auto`, so its profile comes from the `profileRules` rule that
// matches its environment (node.ts). Ctrl-C stops the managers one after the other (each stops
// its daemons in reverse dependency order), then NATS. Everything is written under
// examples/ringrift/work/warden-cluster/ (gitignored): NATS's store, the nodes' state and logs.
//
// WARDEN_CLI='["node","…/cli.js"]' runs another warden than bin/warden.js (the tests run the
// sources).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, openSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { CLUSTER_WORK, NATS_URL_FILE } from "./node.ts";

const HERE = fileURLToPath(new URL(".", import.meta.url));
/** How long NATS may take to accept connections, and a manager to stop before SIGKILL. */
const NATS_READY_MS = 10_000;
const STOP_MS = 30_000;

const light = process.argv.includes("--light");
/** Started in this order, stopped in the reverse one: the coordinator last. */
const NODES = [
  { node: "coordinator", role: light ? "coordinator_lite" : "coordinator" },
  { node: "trainer", role: "training_node" },
  { node: "selfplay", role: "selfplay" },
];

const say = (line: string) => process.stderr.write(`ringrift-cluster: ${line}\n`);
const warden = wardenCommand();
const shown = (path: string) => relative(process.cwd(), path) || ".";

interface Started {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
}

/** The warden command: WARDEN_CLI (a JSON array) or the `warden` package's bin/warden.js. */
function wardenCommand(): string[] {
  const custom = process.env.WARDEN_CLI;
  if (custom === undefined || custom === "")
    return [
      process.execPath,
      join(dirname(createRequire(import.meta.url).resolve("warden")), "../bin/warden.js"),
    ];
  const parsed: unknown = JSON.parse(custom);
  if (
    !Array.isArray(parsed) ||
    parsed.length === 0 ||
    !parsed.every((s) => typeof s === "string")
  ) {
    throw new Error(`WARDEN_CLI must be a JSON array of strings, got ${custom}`);
  }
  return parsed as string[];
}

/** A free TCP port on 127.0.0.1, as the system hands one out. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

/** Resolves once `port` accepts a connection; rejects if `child` exits or time runs out. */
async function acceptsConnections(port: number, child: Started): Promise<void> {
  const deadline = Date.now() + NATS_READY_MS;
  let gone = false;
  void child.exited.then(() => (gone = true));
  while (Date.now() < deadline && !gone) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    await delay(100);
  }
  throw new Error(
    `nats-server did not accept connections on port ${port} (see ${shown(join(CLUSTER_WORK, "nats.log"))})`,
  );
}

/** Starts `command` in a process group of its own (Ctrl-C reaches only this script), output to `log`. */
function startDetached(
  name: string,
  command: string[],
  log: string,
  env: NodeJS.ProcessEnv = {},
): Started {
  const out = openSync(log, "a");
  const child = spawn(command[0]!, command.slice(1), {
    cwd: HERE,
    env: { ...process.env, ...env },
    stdio: ["ignore", out, out],
    detached: true,
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("error", (error) => say(`${name}: ${error.message}`));
  return { name, child, exited };
}

/** SIGTERM to `started`, SIGKILL to its group after STOP_MS; resolves once it has exited. */
async function stop(started: Started): Promise<void> {
  const { child } = started;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => {
    say(`${started.name} did not stop within ${STOP_MS / 1000} s: SIGKILL`);
    if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
  }, STOP_MS);
  await started.exited;
  clearTimeout(timer);
}

/** What main() started, stopped by shutdown() in reverse order. */
const managers: Started[] = [];
let nats: Started | undefined;
let stopping = false;

/** Stops the managers one after the other (the coordinator last), then NATS; exits. */
async function shutdown(why: string, code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  const order = [...managers].reverse();
  say(`${why}: stopping the nodes (${order.map((m) => m.name).join(", ")}), then NATS`);
  for (const manager of order) {
    await stop(manager);
    say(`${manager.name} stopped`);
  }
  if (nats !== undefined) await stop(nats);
  rmSync(NATS_URL_FILE, { force: true });
  say("nats-server stopped; all done");
  process.exit(code);
}

async function main(): Promise<void> {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => void shutdown(signal));
  }
  if (spawnSync("nats-server", ["--version"]).error !== undefined) {
    say(
      "nats-server is not installed (or not on PATH). Cluster mode needs a NATS server with JetStream, 2.9 or later:",
    );
    say(
      "  Debian/Ubuntu: sudo apt install nats-server    others: https://github.com/nats-io/nats-server/releases",
    );
    process.exit(1);
  }
  const storeDir = join(CLUSTER_WORK, "nats");
  mkdirSync(storeDir, { recursive: true });
  const port = await freePort();
  const url = `nats://127.0.0.1:${port}`;
  const server = startDetached(
    "nats-server",
    ["nats-server", "-js", "-a", "127.0.0.1", "-p", String(port), "-sd", storeDir],
    join(CLUSTER_WORK, "nats.log"),
  );
  nats = server;
  say(`nats-server pid ${server.child.pid} on ${url}, store ${shown(storeDir)}`);
  await acceptsConnections(port, server);
  // The node configurations read it (node.ts): a node started by hand joins this cluster too.
  writeFileSync(NATS_URL_FILE, `${url}\n`);
  void server.exited.then(() => {
    if (!stopping) say("nats-server exited: the nodes keep supervising their daemons and retry");
  });

  for (const { node, role } of NODES) {
    const config = join(HERE, `${node}.config.ts`);
    const log = join(CLUSTER_WORK, `${node}.log`);
    const manager = startDetached(
      node,
      [...warden, "up", "--config", config, "--profile", "auto"],
      log,
      {
        RINGRIFT_ROLE: role,
        NO_COLOR: "1",
      },
    );
    managers.push(manager);
    say(`${node}: manager pid ${manager.child.pid}, RINGRIFT_ROLE=${role}, log ${shown(log)}`);
    void manager.exited.then(() => {
      if (!stopping)
        say(`${node}'s manager exited (code ${manager.child.exitCode}); see ${shown(log)}`);
    });
  }
  const coordinator = shown(join(HERE, "coordinator.config.ts"));
  say("three nodes starting. In another terminal:");
  say(`  node bin/warden.js status --cluster --config ${coordinator}`);
  say(`  node bin/warden.js status --cluster --watch --config ${coordinator}`);
  say(`  node bin/warden.js status --config ${shown(join(HERE, "trainer.config.ts"))}`);
  say(
    `  node bin/warden.js restart TOURNAMENT_DAEMON --node coordinator --config ${shown(join(HERE, "selfplay.config.ts"))}`,
  );
  say("Ctrl-C stops the three nodes in order, then NATS.");
}

main().catch((error: unknown) => {
  void shutdown(`failed: ${error instanceof Error ? error.message : String(error)}`, 1);
});
