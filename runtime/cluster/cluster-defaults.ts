/**
 * Every default and bound of cluster mode (SPEC §11, docs/cluster.md) in one place. They live
 * here rather than in machines/defaults.ts because nothing in machines/ uses them.
 */

/**
 * A node name: it is a KV key and a NATS subject token, so no dots, spaces or wildcards.
 *
 * @example
 * NODE_NAME_PATTERN.test("gpu-3"); // true
 * NODE_NAME_PATTERN.test("gpu.3"); // false
 */
export const NODE_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;

export const CLUSTER_DEFAULTS = {
  /** Node records and leases expire this long after their last renewal (SPEC §11). */
  ttlMs: 15_000,
  minTtlMs: 1_000,
  maxTtlMs: 3_600_000,
  /** A node renews its record this many times per `ttlMs`. */
  heartbeatsPerTtl: 3,
  /** How often, per `ttlMs`, each node looks for nodes gone stale. */
  checksPerTtl: 10,
  /** A stale node's record stays in the bucket (and in `status --cluster`) this many `ttlMs`. */
  keptStaleTtls: 40,
  /** The KV bucket of node records. */
  nodesBucket: "warden_nodes",
  /** Subjects of remote control: `<prefix>.<node>`. */
  controlSubject: "warden.control",
  minSecretLength: 16,
  /** A remote-control request older or newer than this (by the sender's clock) is refused. */
  requestWindowMs: 60_000,
  /** How long a remote-control requester waits for a node's answer beyond the action's own wait. */
  answerMarginMs: 5_000,
  /** Wait between attempts to reach NATS (the client retries forever). */
  reconnectWaitMs: 1_000,
} as const;

/** Bounds on what comes from NATS: every input from another node is hostile until bounded. */
export const CLUSTER_BOUNDS = {
  /** The largest node record accepted, in bytes (also the bucket's `maxValueSize`). */
  recordBytes: 128 * 1024,
  /** Nodes kept in the registry; more are ignored (and counted). At most 32 MiB of records. */
  nodes: 256,
  /** Daemons kept per node record; a node with more sends the first ones and says how many. */
  daemonsPerNode: 1_000,
  /** Longest string kept from a record (names, states, errors). */
  text: 200,
  /** The largest remote-control request or answer, in bytes. */
  controlBytes: 64 * 1024,
  /** Remote-control nonces remembered against replays. */
  nonces: 10_000,
} as const;
