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
 * its own on a free loopback port (bench/cluster-node.ts); for the event measures
 * (bench/cluster-events.ts) the receiving side (node b, or the raw consumer) runs in a process
 * of its own, as on another machine. Benchmark (k) of
 * `npm run bench -- --only cluster` (through `runCluster`), or standalone:
 *
 *   npx tsx bench/cluster.ts [--quick]
 */
import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { measureEvents, roundPercentile, type Side } from "./cluster-events.ts";
import {
  TTL_MS,
  removeFolders,
  startNats,
  startNode,
  until,
  type BenchNode,
} from "./cluster-node.ts";
import { median } from "./stats.ts";

const quick = process.argv.includes("--quick");
// `let`: `runCluster` (npm run bench) sets them from its plan.
let LATENCY_EVENTS = quick ? 100 : 1_000;
let BURST_EVENTS = quick ? 500 : 5_000;
let RESTARTS = quick ? 10 : 50;
let FAILOVERS = quick ? 1 : 3;
/** Latency rounds, alternating between the sides; events before them, not counted. */
const ROUNDS = quick ? 3 : 5;
const WARMUP_EVENTS = quick ? 20 : 100;

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
    const events = await measureEvents(a, nats.url, {
      latencyEvents: LATENCY_EVENTS,
      burstEvents: BURST_EVENTS,
      rounds: ROUNDS,
      warmupEvents: WARMUP_EVENTS,
    });
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
    removeFolders();
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

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await main();
  process.exit(0);
}
