/**
 * The event measures of the cluster benchmark (bench/cluster.ts): cross-node latency and
 * throughput of the event bridge against raw JetStream used as warden uses it (an awaited
 * publish with a message id, a durable pull consumer with explicit acknowledgements). The
 * receiving side runs in a process of its own — this file run with `--receiver bridge|raw <url>`
 * — and reports when it had each event, on the machine's clock.
 */
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { removeFolders, startNode, until, type BenchNode } from "./cluster-node.ts";
import { median } from "./stats.ts";

/** How many events, in how many rounds, after how many warm-up events per side. */
export interface EventSizes {
  latencyEvents: number;
  burstEvents: number;
  rounds: number;
  warmupEvents: number;
}

export function percentile(values: readonly number[], p: number): number {
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
    removeFolders();
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
export type Side = (typeof SIDES)[number];
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

/** Events per second of a burst of count through `send`, numbered from `first`. */
async function burst(
  receiver: Receiver,
  send: Send,
  first: number,
  count: number,
): Promise<number> {
  await receiver.isReady;
  const before = receiver.received();
  const t0 = performance.now();
  for (let i = first; i < first + count; i++) await send(i);
  await until(() => receiver.received() - before >= count, "the burst", 120_000);
  return count / ((performance.now() - t0) / 1000);
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
export async function measureEvents(a: BenchNode, url: string, sizes: EventSizes) {
  const { latencyEvents, rounds: roundCount, warmupEvents, burstEvents } = sizes;
  const receiver = startReceiver("bridge", url);
  const bridge = bridgePath(a, receiver, true);
  const raw = await rawPath(url);
  const paths: Record<Side, Path> = { bridge, journal: bridgePath(a, receiver, false), raw };
  await Promise.all([receiver.isReady, raw.receiver.isReady]);
  let next = 0;
  // Warm-up, not counted: the first events of each path pay for JIT and first allocations.
  for (const path of Object.values(paths)) {
    await latencyRound(path.receiver, path.send, next, warmupEvents);
    next += warmupEvents;
  }
  const perRound = Math.max(1, Math.floor(latencyEvents / roundCount));
  const rounds: Round[] = [];
  for (let round = 0; round < roundCount; round++) {
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
  const bridgePerSecond = await burst(bridge.receiver, bridge.send, next, burstEvents);
  const rawPerSecond = await burst(raw.receiver, raw.send, next, burstEvents);
  bridge.receiver.stop();
  raw.receiver.stop();
  await raw.close();
  return { rounds, bridgePerSecond, rawPerSecond };
}

/** The median over rounds of each round's percentile `q`, per side. */
export function roundPercentile(rounds: readonly Round[], side: Side, q: number): number {
  return median(rounds.map((round) => percentile(round[side], q)));
}

const receiverAt = process.argv.indexOf("--receiver");
if (receiverAt >= 0 && import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await receive(process.argv[receiverAt + 1]!, process.argv[receiverAt + 2]!);
}
