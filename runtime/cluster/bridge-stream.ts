/**
 * The JetStream side of event bridging (SPEC §11): one stream, `WARDEN_EVENTS`, on subjects
 * `warden.events.<node>`, deduplicated by the envelope id within two minutes; one durable pull
 * consumer per node, `warden_in_<node>`, explicit acks, a bounded number of deliveries. Both
 * are made when missing; a node seeing the stream for the first time starts with new events.
 * Only what nats-server 2.9 has: one filter subject at most, none used here.
 */
import {
  AckPolicy,
  DeliverPolicy,
  jetstreamManager,
  type JetStreamManager,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";

export const EVENTS_STREAM = "WARDEN_EVENTS";
export const EVENTS_SUBJECT_PREFIX = "warden.events";

/** Deliveries of one event to a node before it goes to that node's dead-letter queue. */
export const MAX_DELIVERIES = 5;
/** How long a node has to acknowledge a delivery before it is delivered again. */
const ACK_WAIT_MS = 30_000;
/** Events kept in the stream: a node away for longer than this misses what is older. */
const STREAM_MAX_AGE_MS = 7 * 24 * 3600_000;
const STREAM_MAX_MESSAGES = 1_000_000;
const DUPLICATE_WINDOW_MS = 120_000;
/** The largest bridged envelope, in bytes. */
export const BRIDGED_BYTES = 64 * 1024;

const nanos = (ms: number) => ms * 1_000_000;

/** The consumer name of `node`. */
export function consumerOf(node: string): string {
  return `warden_in_${node}`;
}

/**
 * Makes the stream and `node`'s durable consumer if missing.
 *
 * @example
 * await ensureBridge(nc, "gpu-3");
 */
export async function ensureBridge(nc: NatsConnection, node: string): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(EVENTS_STREAM);
  } catch {
    try {
      await jsm.streams.add({
        name: EVENTS_STREAM,
        subjects: [`${EVENTS_SUBJECT_PREFIX}.>`],
        max_age: nanos(STREAM_MAX_AGE_MS),
        max_msgs: STREAM_MAX_MESSAGES,
        max_msg_size: BRIDGED_BYTES,
        duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      });
    } catch (error) {
      // Another node made it meanwhile: fine; anything else is thrown.
      await jsm.streams.info(EVENTS_STREAM).catch(() => Promise.reject(error));
    }
  }
  const name = consumerOf(node);
  try {
    await jsm.consumers.info(EVENTS_STREAM, name);
  } catch {
    await jsm.consumers.add(EVENTS_STREAM, {
      durable_name: name,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.New,
      max_deliver: MAX_DELIVERIES,
      ack_wait: nanos(ACK_WAIT_MS),
    });
  }
  return jsm;
}
