/**
 * A node's record in the registry bucket (SPEC §11): who it is, what it runs, when it last said
 * so. Written by the node itself at every heartbeat; read by every other node, for which it is
 * hostile input: `decodeNodeRecord` accepts only a bounded, well-formed record.
 */
import { z } from "zod";
import type { DaemonStatus } from "../manager/daemon-status.ts";
import { CLUSTER_BOUNDS, NODE_NAME_PATTERN } from "./cluster-defaults.ts";

/** One daemon as other nodes see it. */
export interface RemoteDaemon {
  name: string;
  state: string;
  restarts: number;
  pid?: number;
  healthy?: boolean;
  lastError?: string;
}

export interface NodeRecord {
  /** The record's format. */
  v: 1;
  node: string;
  /** The profile it runs (`--profile`), null when none was chosen. */
  profile: string | null;
  /** With `--profile auto`, the `profileRules` entry that chose the profile and why. */
  rule?: string;
  /** warden's version on that node. */
  version: string;
  pid: number;
  /** When its manager started, by its clock (ms since the epoch). */
  startedAt: number;
  /** When it wrote this record, by its clock (ms since the epoch). */
  heartbeatAt: number;
  /** Its `cluster.ttlMs`: it renews the record well within that. */
  ttlMs: number;
  daemons: RemoteDaemon[];
  /** How many daemons it has; more than `daemons` holds when the record was cut to its bound. */
  daemonCount: number;
}

const text = () => z.string().max(CLUSTER_BOUNDS.text);
const count = () => z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const recordSchema = z.object({
  v: z.literal(1),
  node: z.string().regex(NODE_NAME_PATTERN),
  profile: text().nullable(),
  rule: text().optional(),
  version: text(),
  pid: count(),
  startedAt: count(),
  heartbeatAt: count(),
  ttlMs: count(),
  daemons: z
    .array(
      z.object({
        name: text(),
        state: text(),
        restarts: count(),
        pid: count().optional(),
        healthy: z.boolean().optional(),
        lastError: text().optional(),
      }),
    )
    .max(CLUSTER_BOUNDS.daemonsPerNode),
  daemonCount: count(),
});

/**
 * The daemons of a status list as a record holds them: the first `CLUSTER_BOUNDS.daemonsPerNode`,
 * errors cut to `CLUSTER_BOUNDS.text` characters.
 *
 * @example
 * remoteDaemons(manager.status()); // [{ name: "api", state: "RUNNING", restarts: 0, pid: 4242 }]
 */
export function remoteDaemons(statuses: readonly DaemonStatus[]): RemoteDaemon[] {
  return statuses.slice(0, CLUSTER_BOUNDS.daemonsPerNode).map((status) => {
    const daemon: RemoteDaemon = {
      name: cut(status.name),
      state: status.state,
      restarts: status.restarts,
    };
    if (status.process?.pid !== undefined) daemon.pid = status.process.pid;
    if (status.healthy !== undefined) daemon.healthy = status.healthy;
    if (status.lastError !== undefined) daemon.lastError = cut(status.lastError);
    return daemon;
  });
}

/**
 * The bytes put in the bucket. A record over `CLUSTER_BOUNDS.recordBytes` (thousands of
 * daemons with long names) drops daemons from the end until it fits; `daemonCount` still says
 * how many there are.
 *
 * @example
 * kv.put(record.node, encodeNodeRecord(record));
 */
export function encodeNodeRecord(record: NodeRecord): Uint8Array {
  let daemons = record.daemons;
  for (;;) {
    const bytes = new TextEncoder().encode(JSON.stringify({ ...record, daemons }));
    if (bytes.length <= CLUSTER_BOUNDS.recordBytes || daemons.length === 0) return bytes;
    daemons = daemons.slice(0, Math.floor(daemons.length / 2));
  }
}

/**
 * A record read from the bucket under `key`, or why it is refused: too large, not JSON, not a
 * record, or a record of another node than its key says.
 *
 * @example
 * const decoded = decodeNodeRecord("gpu-3", entry.value);
 * if ("record" in decoded) use(decoded.record); else logger.warn(decoded.refused);
 */
export function decodeNodeRecord(
  key: string,
  bytes: Uint8Array,
): { record: NodeRecord } | { refused: string } {
  if (bytes.length > CLUSTER_BOUNDS.recordBytes) {
    return { refused: `${bytes.length} bytes, over ${CLUSTER_BOUNDS.recordBytes}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return { refused: "not JSON" };
  }
  const parsed = recordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { refused: `not a node record (${issue?.path.join(".") ?? ""}: ${issue?.message})` };
  }
  if (parsed.data.node !== key) {
    return { refused: `the record says node "${parsed.data.node}"` };
  }
  return { record: parsed.data };
}

function cut(value: string): string {
  return value.length > CLUSTER_BOUNDS.text ? `${value.slice(0, CLUSTER_BOUNDS.text - 1)}…` : value;
}
