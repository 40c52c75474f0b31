/**
 * Opening a JetStream KV bucket the way nats-server 2.9 allows (SPEC §11): one value per key,
 * a bucket-wide TTL (2.9 has no per-key TTL), a bound on the size of values.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { Kvm, type KV } from "@nats-io/kv";

export interface BucketOptions {
  /** Values older than this are removed by the server (the bucket's `max_age`). */
  ttlMs: number;
  /** The largest value the server accepts, in bytes. */
  maxValueSize: number;
}

/**
 * The bucket `name`, made if missing. A bucket another node made with other limits (another
 * `ttlMs`) is used as it is: the first node's limits hold until the bucket is deleted.
 *
 * @example
 * const kv = await openBucket(nc, "warden_nodes", { ttlMs: 600_000, maxValueSize: 262_144 });
 */
export async function openBucket(
  nc: NatsConnection,
  name: string,
  options: BucketOptions,
): Promise<KV> {
  const kvm = new Kvm(nc);
  try {
    return await kvm.create(name, {
      history: 1,
      ttl: options.ttlMs,
      maxValueSize: options.maxValueSize,
    });
  } catch (error) {
    // Made before with other limits: open it as it is; anything else (no JetStream) is thrown.
    try {
      return await kvm.open(name);
    } catch {
      throw error;
    }
  }
}
