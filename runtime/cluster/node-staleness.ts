/**
 * When a node is stale (SPEC §11), as plain functions of time. Debian's nats-server 2.9 has no
 * per-key TTL and tells nobody when a key expires, so liveness is judged from the records' own
 * timestamps: the time the server stored each one. Those are the server's clock; this node
 * compares them with its own clock corrected by the offset it sees on its own records, so that
 * a node whose clock is off by seconds judges no differently.
 */
import { CLUSTER_DEFAULTS } from "./cluster-defaults.ts";

/**
 * Whether a node last seen at `lastSeen` (server time) is stale at `serverNow`: its record is
 * older than the `ttlMs` it promised to renew within (clamped to the allowed range).
 *
 * @example
 * isStale(10_000, 15_000, 26_000); // true: 16 s without a renewal
 */
export function isStale(lastSeen: number, ttlMs: number, serverNow: number): boolean {
  const ttl = Math.min(Math.max(ttlMs, CLUSTER_DEFAULTS.minTtlMs), CLUSTER_DEFAULTS.maxTtlMs);
  return serverNow - lastSeen > ttl;
}

/**
 * The server's clock minus this node's, from one of its own records: stored at `created` by the
 * server, seen here at `seenAt`. The transit time makes it a little late, never early: a
 * record is at worst judged a few milliseconds older than it is.
 *
 * @example
 * clockOffset(1_000_500, 1_000_000); // 500: the server is half a second ahead
 */
export function clockOffset(created: number, seenAt: number): number {
  return created - seenAt;
}

export type NodeChange =
  { type: "NODE_JOINED"; node: string } | { type: "NODE_LOST"; node: string; lastSeen: number };

/**
 * What changed between two judgements: nodes that became stale are lost, nodes that are fresh
 * now and were stale or unknown before have joined. A node that was stale or fresh all along
 * changed nothing.
 *
 * @example
 * nodeChanges(new Map([["a", false]]), new Map([["a", true]]), () => 5);
 * // [{ type: "NODE_LOST", node: "a", lastSeen: 5 }]
 */
export function nodeChanges(
  before: ReadonlyMap<string, boolean>,
  now: ReadonlyMap<string, boolean>,
  lastSeen: (node: string) => number,
): NodeChange[] {
  const changes: NodeChange[] = [];
  for (const [node, stale] of now) {
    const was = before.get(node);
    if (stale && was === false) changes.push({ type: "NODE_LOST", node, lastSeen: lastSeen(node) });
    if (!stale && was !== false) changes.push({ type: "NODE_JOINED", node });
  }
  return changes;
}
