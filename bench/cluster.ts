/**
 * Cluster benchmark (issue P12, docs/cluster.md), every ratio from one run on one machine:
 *
 * - cross-node event latency (p50, p99) and throughput of the event bridge (a bus event on node
 *   a, journaled, sent to JetStream, consumed, journaled and delivered on node b's bus) against
 *   raw JetStream (publish and acknowledged pull consume of the same bytes, same ordering);
 *   target: latency ≤ 2× raw. The three sides — the bridge, the bridge with its fast path off
 *   (every event written to the journal and read back before it is sent) and raw JetStream —
 *   are measured in alternating rounds after a warm-up of each; each percentile is the median
 *   of the rounds' percentiles;
 * - singleton failover: the holder cut off from NATS until the other node runs the daemon;
 *   target ≤ lease TTL + 1 s;
 * - a remote restart's round trip (`Cluster.act` over NATS) against a local restart.
 *
 * Managers with in-process daemons and real journals in temporary folders, a nats-server of
 * its own on a free loopback port; for the event measures the receiving side (node b, or the raw
 * consumer) runs in a process of its own, as on another machine. Benchmark (k) of
 * `npm run bench -- --only cluster` (through `runCluster`), or standalone:
 *
 *   npx tsx bench/cluster.ts [--quick]
 */
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { join } from "node:path";
import { systemClock } from "../actors/clock.ts";
import { Cluster } from "../runtime/cluster/cluster.ts";
import { clusterSettings } from "../runtime/cluster/cluster-settings.ts";
import { Journal } from "../runtime/journal/journal.ts";
import { silentLogger } from "../runtime/logger.ts";
import { DaemonManager } from "../runtime/manager/daemon-manager.ts";
import { median } from "./stats.ts";

const quick = process.argv.includes("--quick");
// `let`: `runCluster` (npm run bench) sets them from its plan.
let LATENCY_EVENTS = quick ? 100 : 1_000;
let BURST_EVENTS = quick ? 500 : 5_000;
let RESTARTS = quick ? 10 : 50;
let FAILOVERS = quick ? 1 : 3;
/** Latency rounds, alternating between the bridge and raw JetStream; events before them, not counted. */
const ROUNDS = quick ? 3 : 5;
const WARMUP_EVENTS = quick ? 20 : 100;
const TTL_MS = 3_000;
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

async function startNats(): Promise<{ url: string; stop(): void }> {
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

interface BenchNode {
  manager: DaemonManager;
  cluster: Cluster;
  close(): Promise<void>;
}

async function startNode(url: string, node: string, singletons: string[] = []): Promise<BenchNode> {
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

async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/**
 * The same clock in every process of this machine, in ms with a fraction: latency is the time
 * from the send until the receiver has the event, not until the sender hears of it.
 */
function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * A receiver in a process of its own (as a node is): this file run with `--receiver bridge|raw
 * <url>`. It prints `ready` once consuming, then, for each event, the time it had it.
 */
function startReceiver(kind: "bridge" | "raw", url: string) {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", fileURLToPath(import.meta.url), "--receiver", kind, url],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let received = 0;
  let ready: () => void = () => {};
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  let onReceive: ((at: number) => void) | undefined;
  createInterface({ input: child.stdout! }).on("line", (line) => {
    if (line === "ready") ready();
    else {
      received++;
      onReceive?.(Number(line));
    }
  });
  return {
    isReady,
    received: () => received,
    /** Resolves with the time the receiver had the next event (ms since the epoch). */
    next: () => new Promise<number>((resolve) => (onReceive = resolve)),
    stop: () => child.kill("SIGTERM"),
  };
}

/** The receiving side, in the child process. */
async function receive(kind: string, url: string): Promise<void> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  process.once("SIGTERM", () => {
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
  if (kind === "bridge") {
    const b = await startNode(url, "b");
    b.manager.bus.on("BENCH_EVENT").subscribe(() => say(String(wallNow())));
    await until(() => b.cluster.document().bridge.consuming, "b consuming");
  } else {
    const sub = await connect({ servers: url });
    const messages = await jetstream(sub).consumers.get("BENCH_RAW", "bench");
    const stream = await messages.consume({ max_messages: 256 });
    void (async () => {
      for await (const msg of stream) {
        msg.ack();
        say(String(wallNow()));
      }
    })();
  }
  say("ready");
}

type Receiver = ReturnType<typeof startReceiver>;

type Send = (i: number) => Promise<unknown> | void;
/** The bridge with its fast path, the bridge through the journal only, raw JetStream. */
const SIDES = ["bridge", "journal", "raw"] as const;
type Side = (typeof SIDES)[number];
type Round = Record<Side, number[]>;

/** Latencies of `count` events sent one at a time through `send`, numbered from `first`. */
async function latencyRound(receiver: Receiver, send: Send, first: number, count: number) {
  await receiver.isReady;
  const latencies: number[] = [];
  for (let i = first; i < first + count; i++) {
    const arrived = receiver.next();
    const t0 = wallNow();
    await send(i);
    latencies.push((await arrived) - t0);
  }
  return latencies;
}

/** Events per second of a burst of BURST_EVENTS through `send`, numbered from `first`. */
async function burst(receiver: Receiver, send: Send, first: number): Promise<number> {
  await receiver.isReady;
  const before = receiver.received();
  const t0 = performance.now();
  for (let i = first; i < first + BURST_EVENTS; i++) await send(i);
  await until(() => receiver.received() - before >= BURST_EVENTS, "the burst", 120_000);
  return BURST_EVENTS / ((performance.now() - t0) / 1000);
}

/** A way to send events and the receiver that has them, for one side of the comparison. */
interface Path {
  receiver: Receiver;
  send: Send;
  close(): Promise<void>;
}

/**
 * Node a here, node b in its own process: a bus event on a until b's bus delivers it. With
 * `fast` false, a's bridge sends every event after writing it to the journal and reading it
 * back (its fast path switched off for the round), as before the fast path existed.
 */
function bridgePath(a: BenchNode, receiver: Receiver, fast: boolean): Path {
  const bridge = a.cluster["bridgeOut"]!;
  const live = bridge["publishLive"].bind(bridge);
  return {
    receiver,
    send: (i) => {
      bridge["publishLive"] = fast ? live : () => {};
      a.manager.bus.publish("BENCH_EVENT", { i });
    },
    close: async () => {
      bridge["publishLive"] = live;
    },
  };
}

/** The same bytes through raw JetStream: awaited publishes, an acknowledged durable pull consumer. */
async function rawPath(url: string): Promise<Path> {
  const pub = await connect({ servers: url });
  const jsm = await jetstreamManager(pub);
  await jsm.streams.add({ name: "BENCH_RAW", subjects: ["bench.raw"] });
  await jsm.consumers.add("BENCH_RAW", {
    durable_name: "bench",
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.New,
  });
  const js = jetstream(pub);
  const body = (i: number) =>
    JSON.stringify({
      id: `x-${i}`,
      type: "BENCH_EVENT",
      source: "warden",
      time: Date.now(),
      data: { i },
      node: "a",
    });
  return {
    receiver: startReceiver("raw", url),
    send: (i) => js.publish("bench.raw", body(i), { msgID: `m-${i}` }),
    close: () => pub.close(),
  };
}

/**
 * The bridge and raw JetStream measured alternately in one run (ROUNDS rounds, each starting
 * with the other side than the last), so that warm-up and the machine's other work weigh on
 * both alike; then a burst through each. Both receivers run all along, in processes of their own.
 */
async function measureEvents(a: BenchNode, url: string) {
  const receiver = startReceiver("bridge", url);
  const bridge = bridgePath(a, receiver, true);
  const raw = await rawPath(url);
  const paths: Record<Side, Path> = { bridge, journal: bridgePath(a, receiver, false), raw };
  await Promise.all([receiver.isReady, raw.receiver.isReady]);
  let next = 0;
  // Warm-up, not counted: the first events of each path pay for JIT and first allocations.
  for (const path of Object.values(paths)) {
    await latencyRound(path.receiver, path.send, next, WARMUP_EVENTS);
    next += WARMUP_EVENTS;
  }
  const perRound = Math.max(1, Math.floor(LATENCY_EVENTS / ROUNDS));
  const rounds: Round[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const result: Round = { bridge: [], journal: [], raw: [] };
    // Each round in another order, so that no side always follows the same one.
    const order = SIDES.map((_, k) => SIDES[(k + round) % SIDES.length]!);
    for (const side of order) {
      result[side] = await latencyRound(paths[side].receiver, paths[side].send, next, perRound);
      next += perRound;
    }
    rounds.push(result);
  }
  await paths.journal.close();
  const out = a.cluster["bridgeOut"]!;
  process.stderr.write(`bridge: ${out.live} of ${out.sent} events sent by the fast path\n`);
  const bridgePerSecond = await burst(bridge.receiver, bridge.send, next);
  const rawPerSecond = await burst(raw.receiver, raw.send, next);
  bridge.receiver.stop();
  raw.receiver.stop();
  await raw.close();
  return { rounds, bridgePerSecond, rawPerSecond };
}

/** The median over rounds of each round's percentile `q`, per side. */
function roundPercentile(rounds: readonly Round[], side: Side, q: number): number {
  return median(rounds.map((round) => percentile(round[side], q)));
}

/** Remote restart round trips against local ones, of an in-process daemon. */
async function measureRestarts(a: BenchNode, b: BenchNode) {
  const remote: number[] = [];
  const local: number[] = [];
  for (let i = 0; i < RESTARTS; i++) {
    let t0 = performance.now();
    const [answer] = await a.cluster.act({
      node: "b",
      action: "restart",
      daemon: "worker",
      timeoutMs: 10_000,
    });
    if (!answer?.ok) throw new Error(`remote restart failed: ${JSON.stringify(answer)}`);
    remote.push(performance.now() - t0);
    t0 = performance.now();
    await b.manager.restart("worker");
    local.push(performance.now() - t0);
  }
  return { remote: median(remote), local: median(local) };
}

/** From the holder losing NATS until the other node runs the singleton. */
async function measureFailover(url: string): Promise<number> {
  const a = await startNode(url, "fa", ["leader"]);
  const b = await startNode(url, "fb", ["leader"]);
  const running = (n: BenchNode) => n.manager.stateOf("leader") === "RUNNING";
  await until(() => running(a) !== running(b), "one holder");
  const [holder, other] = running(a) ? [a, b] : [b, a];
  const t0 = performance.now();
  await holder.cluster.link.close();
  await until(() => running(other), "the takeover");
  const ms = performance.now() - t0;
  await a.close();
  await b.close();
  return ms;
}

async function main(print = (text: string) => void process.stdout.write(text)) {
  const nats = await startNats();
  try {
    const a = await startNode(nats.url, "a");
    process.stderr.write("events: the bridge and raw JetStream, alternately…\n");
    const events = await measureEvents(a, nats.url);
    const b = await startNode(nats.url, "b");
    await until(() => a.cluster.document().current && b.cluster.document().current, "registries");
    process.stderr.write("restarts…\n");
    const restarts = await measureRestarts(a, b);
    await a.close();
    await b.close();
    process.stderr.write("failover…\n");
    const failovers: number[] = [];
    for (let i = 0; i < FAILOVERS; i++) failovers.push(await measureFailover(nats.url));
    const ms = (value: number) => `${value.toFixed(2)} ms`;
    const p = (side: Side, q: number) => roundPercentile(events.rounds, side, q);
    const ratio = (q: number) => (p("bridge", q) / p("raw", q)).toFixed(2);
    const each = `median of ${ROUNDS} alternating rounds`;
    const lines = [
      "| measure | warden | baseline | ratio | target |",
      "| --- | --- | --- | --- | --- |",
      `| event latency p50 (a → b, ${each}) | ${ms(p("bridge", 50))} | ${ms(p("raw", 50))} raw JetStream | ${ratio(50)}× | ≤ 2× |`,
      `| event latency p99 (${each}) | ${ms(p("bridge", 99))} | ${ms(p("raw", 99))} | ${ratio(99)}× | ≤ 2× |`,
      `| event latency p50, fast path off (journal read-back only) | ${ms(p("journal", 50))} | ${ms(p("raw", 50))} | ${(p("journal", 50) / p("raw", 50)).toFixed(2)}× | — |`,
      `| event latency p99, fast path off | ${ms(p("journal", 99))} | ${ms(p("raw", 99))} | ${(p("journal", 99) / p("raw", 99)).toFixed(2)}× | — |`,
      `| event throughput (burst of ${BURST_EVENTS}) | ${Math.round(events.bridgePerSecond)}/s | ${Math.round(events.rawPerSecond)}/s raw, awaited publishes | ${(events.bridgePerSecond / events.rawPerSecond).toFixed(2)}× | — |`,
      `| singleton failover (median of ${FAILOVERS}) | ${ms(median(failovers))} | TTL ${TTL_MS} ms | ${(median(failovers) / TTL_MS).toFixed(2)}× TTL | ≤ TTL + 1 s |`,
      `| restart round trip (median of ${RESTARTS}) | ${ms(restarts.remote)} remote | ${ms(restarts.local)} local | ${(restarts.remote / restarts.local).toFixed(2)}× | — |`,
    ];
    print(`${lines.join("\n")}\n`);
    return { events, restarts, failovers };
  } finally {
    nats.stop();
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  }
}

export interface ClusterOptions {
  latencyEvents: number;
  burstEvents: number;
  restarts: number;
  failovers: number;
}

/** Medians and percentiles of one `runCluster`; ms unless said. */
export interface ClusterMeasures {
  latencyEvents: number;
  burstEvents: number;
  restarts: number;
  ttlMs: number;
  latency: { p50: number; p99: number; rawP50: number; rawP99: number };
  /** Events per second of the burst, through the bridge and raw. */
  throughput: { bridge: number; raw: number };
  failoverMs: number;
  failovers: number[];
  restart: { remoteMs: number; localMs: number };
}

export type ClusterResult =
  ({ skipped: false } & ClusterMeasures) | { skipped: true; reason: string };

/**
 * The measures of `main` for `npm run bench`; skipped where nats-server is not on PATH.
 *
 * @example
 * const result = await runCluster({ latencyEvents: 1_000, burstEvents: 5_000, restarts: 50, failovers: 3 });
 */
export async function runCluster(options: ClusterOptions): Promise<ClusterResult> {
  const probe = spawnSync("nats-server", ["--version"], { stdio: "ignore" });
  if (probe.error)
    return { skipped: true, reason: `nats-server is not on PATH (${probe.error.message})` };
  LATENCY_EVENTS = options.latencyEvents;
  BURST_EVENTS = options.burstEvents;
  RESTARTS = options.restarts;
  FAILOVERS = options.failovers;
  const { events, restarts, failovers } = await main(() => {});
  return {
    skipped: false,
    latencyEvents: LATENCY_EVENTS,
    burstEvents: BURST_EVENTS,
    restarts: RESTARTS,
    ttlMs: TTL_MS,
    latency: {
      p50: roundPercentile(events.rounds, "bridge", 50),
      p99: roundPercentile(events.rounds, "bridge", 99),
      rawP50: roundPercentile(events.rounds, "raw", 50),
      rawP99: roundPercentile(events.rounds, "raw", 99),
    },
    throughput: { bridge: events.bridgePerSecond, raw: events.rawPerSecond },
    failoverMs: median(failovers),
    failovers,
    restart: { remoteMs: restarts.remote, localMs: restarts.local },
  };
}

const receiverAt = process.argv.indexOf("--receiver");
if (receiverAt >= 0) {
  await receive(process.argv[receiverAt + 1]!, process.argv[receiverAt + 2]!);
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await main();
  process.exit(0);
}
