/**
 * Singleton leases in the `warden_leases` KV bucket (SPEC §11): one key per singleton daemon,
 * whose value names the holding node. Made for nats-server 2.9: the bucket's `max_age` is the
 * TTL (no per-key TTL), every change is a compare-and-set on the key's revision, and a lease is
 * expired when the server stored it more than `ttlMs` ago, whether or not the server has
 * removed it yet. Leases read from the bucket are hostile input: bounded and validated.
 */
import type { KV } from "@nats-io/kv";
import { z } from "zod";
import { NODE_NAME_PATTERN } from "./cluster-defaults.ts";
import { isStale } from "./node-staleness.ts";

/** The largest lease accepted, in bytes (also the bucket's `maxValueSize`). */
export const LEASE_BYTES = 1024;

export interface Lease {
  holder: string;
  /** When the holder took it, by its clock (ms since the epoch). */
  acquiredAt: number;
}

const leaseSchema = z.object({
  holder: z.string().regex(NODE_NAME_PATTERN),
  acquiredAt: z.number().int().min(0),
});

/** What a contender sees of a lease. */
export type LeaseView =
  | { kind: "free"; revision: number }
  | { kind: "held"; holder: string; revision: number; expired: boolean };

/**
 * The lease of `daemon` as of `serverNow`: free (no value, deleted, or unreadable) or held, and
 * then whether it has expired.
 *
 * @example
 * await viewLease(kv, "LEADER", 15_000, serverNow); // { kind: "held", holder: "gpu-1", revision: 7, expired: false }
 */
export async function viewLease(
  kv: KV,
  daemon: string,
  ttlMs: number,
  serverNow: number,
): Promise<LeaseView> {
  const entry = await kv.get(daemon);
  if (entry === null || entry.operation !== "PUT") {
    return { kind: "free", revision: entry?.revision ?? 0 };
  }
  const lease = decodeLease(entry.value);
  // A value that is not a lease holds nothing; it is replaced by compare-and-set like any other.
  if (lease === undefined)
    return { kind: "held", holder: "?", revision: entry.revision, expired: true };
  return {
    kind: "held",
    holder: lease.holder,
    revision: entry.revision,
    expired: isStale(entry.created.getTime(), ttlMs, serverNow),
  };
}

/**
 * Takes the lease seen as `view` (free, or held and expired) for `node`; resolves with the new
 * revision, or rejects if someone else changed it first (the compare-and-set failed).
 *
 * @example
 * const revision = await takeLease(kv, "LEADER", view, "gpu-2", Date.now());
 */
export async function takeLease(
  kv: KV,
  daemon: string,
  view: LeaseView,
  node: string,
  now: number,
): Promise<number> {
  const value = encodeLease({ holder: node, acquiredAt: now });
  if (view.kind === "free" && view.revision === 0) return kv.create(daemon, value);
  return kv.update(daemon, value, view.revision);
}

/**
 * Renews a held lease: a compare-and-set on the revision it last wrote. Rejects when another
 * node took it meanwhile.
 */
export function renewLease(
  kv: KV,
  daemon: string,
  lease: Lease,
  revision: number,
): Promise<number> {
  return kv.update(daemon, encodeLease(lease), revision);
}

/** Whether `error` is a compare-and-set that lost (another writer came first). */
export function isLostRace(error: unknown): boolean {
  return error instanceof Error && /wrong last sequence/i.test(error.message);
}

function encodeLease(lease: Lease): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(lease));
}

function decodeLease(bytes: Uint8Array): Lease | undefined {
  if (bytes.length > LEASE_BYTES) return undefined;
  try {
    const parsed = leaseSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
