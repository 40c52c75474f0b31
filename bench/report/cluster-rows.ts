/** (k)'s rows of the PASS/MISS table: cross-node events, singleton failover, remote restarts. */
import type { ClusterMeasures, ClusterResult } from "../cluster.ts";
import { TARGETS } from "../plan.ts";
import { integer, latency, millis, plural } from "./format.ts";
import type { Row } from "./results-table.ts";

const RAW = "raw JetStream";

/**
 * The rows of (k), or one row saying why it was skipped (no nats-server on PATH).
 *
 * @example
 * const rows = clusterRows(results.cluster);
 */
export function clusterRows(result: ClusterResult): Row[] {
  if (result.skipped) {
    return [
      {
        benchmark: "(k) cluster: cross-node events, singleton failover, remote restart",
        size: `skipped: ${result.reason}`,
        warden: "—",
        baseline: "—",
        target: `latency ≤ ${TARGETS.clusterLatencyRatio}× ${RAW}; failover ≤ TTL + 1 s`,
        pass: true,
        informational: true,
        skipped: true,
      },
    ];
  }
  return [...latencyRows(result), ...otherRows(result)];
}

function latencyRows({ latency: l, latencyEvents }: ClusterMeasures): Row[] {
  const size = `${integer(latencyEvents)} events one at a time in alternating rounds, node b in its own process`;
  const row = (which: string, warden: number, raw: number): Row => ({
    benchmark: `(k) cross-node event latency ${which}, bus on node a → bus on node b`,
    size,
    warden: latency(warden),
    baseline: `${latency(raw)} (${RAW})`,
    ratio: warden / raw,
    target: `≤ ${TARGETS.clusterLatencyRatio}×`,
    pass: warden / raw <= TARGETS.clusterLatencyRatio,
  });
  return [row("p50", l.p50, l.rawP50), row("p99", l.p99, l.rawP99)];
}

function otherRows(result: ClusterMeasures): Row[] {
  const { throughput, ttlMs, restart } = result;
  const failoverLimitMs = ttlMs + TARGETS.failoverOverTtlMs;
  return [
    {
      benchmark: "(k) cross-node event throughput, a → b",
      size: `a burst of ${integer(result.burstEvents)} events`,
      warden: `${integer(throughput.bridge)} events/s`,
      baseline: `${integer(throughput.raw)} events/s (${RAW}, awaited publishes)`,
      ratio: throughput.bridge / throughput.raw,
      target: "recorded",
      pass: true,
      informational: true,
    },
    {
      benchmark: "(k) singleton failover: the holder cut off from NATS → the other node RUNNING",
      size: `lease TTL ${integer(ttlMs)} ms, ${plural(result.failovers.length, "failover")}`,
      warden: `${integer(result.failoverMs)} ms`,
      baseline: `${integer(ttlMs)} ms (the TTL)`,
      ratio: result.failoverMs / ttlMs,
      target: `≤ TTL + 1 s (${integer(failoverLimitMs)} ms)`,
      pass: result.failoverMs <= failoverLimitMs,
    },
    {
      benchmark: "(k) restart round trip, remote (`Cluster.act` over NATS) against local",
      size: `${plural(result.restarts, "restart")} of an in-process daemon`,
      warden: millis(restart.remoteMs),
      baseline: `${millis(restart.localMs)} (local \`manager.restart\`)`,
      ratio: restart.remoteMs / restart.localMs,
      target: "recorded",
      pass: true,
      informational: true,
    },
  ];
}
