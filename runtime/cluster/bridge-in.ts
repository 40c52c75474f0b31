/**
 * Inbound event bridging (SPEC §11): this node's durable consumer on `WARDEN_EVENTS` receives
 * every other node's bridged events; each is journaled locally and delivered on the local bus
 * with its original envelope (id, source, time, node), then acknowledged once written. Delivery
 * is at least once: a repeat of an id seen recently is acknowledged without delivering again,
 * and subscribers see the envelope id to drop older repeats. An event that cannot be journaled
 * is delivered again later; after the consumer's last delivery it goes to the dead-letter
 * queue. The consumer is consumed again after every reconnection.
 */
import { jetstream, type JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Subscription } from "rxjs";
import type { WardenClock } from "../../actors/clock.ts";
import { messageOf } from "../../machines/errors.ts";
import type { EventBus } from "../bus/event-bus.ts";
import type { BusJournal } from "../bus/bus-journal.ts";
import type { Logger } from "../logger.ts";
import { parseBridged } from "./bridged-envelope.ts";
import {
  EVENTS_STREAM,
  EVENTS_SUBJECT_PREFIX,
  MAX_DELIVERIES,
  consumerOf,
  ensureBridge,
} from "./bridge-stream.ts";
import type { NatsLink } from "./nats-link.ts";

/** Envelope ids remembered against repeats. */
const SEEN_IDS = 10_000;
/** The dead letters of the bridge name this subscriber. */
export const BRIDGE_SUBSCRIBER = "CLUSTER_BRIDGE";

export interface BridgeInOptions {
  link: NatsLink;
  journal: BusJournal;
  bus: EventBus;
  node: string;
  clock: WardenClock;
  logger: Logger;
}

export class BridgeIn {
  private readonly seen = new Set<string>();
  private session = 0;
  private stopConsuming: (() => void) | undefined;
  private subscription: Subscription | undefined;
  private retry: unknown;
  /** Whether the consumer is being consumed now. */
  consuming = false;
  received = 0;
  refused = 0;
  deadLettered = 0;

  private readonly ownSubject: string;

  constructor(private readonly options: BridgeInOptions) {
    this.ownSubject = `${EVENTS_SUBJECT_PREFIX}.${options.node}`;
  }

  start(): void {
    this.subscription = this.options.link.connection$.subscribe((nc) => this.onConnection(nc));
  }

  close(): void {
    this.session++;
    this.subscription?.unsubscribe();
    this.stopConsuming?.();
    this.options.clock.clearTimeout(this.retry);
  }

  private onConnection(nc: NatsConnection | undefined): void {
    const session = ++this.session;
    this.stopConsuming?.();
    this.stopConsuming = undefined;
    this.options.clock.clearTimeout(this.retry);
    if (nc !== undefined) void this.consume(nc, session);
  }

  private async consume(nc: NatsConnection, session: number): Promise<void> {
    const { node, logger, clock } = this.options;
    try {
      await ensureBridge(nc, node);
      const consumer = await jetstream(nc).consumers.get(EVENTS_STREAM, consumerOf(node));
      const messages = await consumer.consume({ max_messages: 256 });
      if (session !== this.session) {
        messages.stop();
        return;
      }
      this.stopConsuming = () => {
        this.consuming = false;
        messages.stop();
      };
      this.consuming = true;
      for await (const msg of messages) {
        if (session !== this.session) break;
        this.handle(msg);
      }
    } catch (error) {
      this.consuming = false;
      if (session !== this.session) return;
      logger.warn(`cluster: event bridge: ${messageOf(error)}; trying again`);
    }
    // Ended on its own while still connected: consume again soon.
    if (session === this.session && this.options.link.current === nc) {
      this.retry = clock.setTimeout(() => {
        if (session === this.session) void this.consume(nc, session);
      }, 1_000);
    }
  }

  /** Journals and delivers at once; acknowledges once the journal has written it. */
  private handle(msg: JsMsg): void {
    const { journal, bus, node, logger, clock } = this.options;
    // This node's own events come back to it (2.9 has no filter that leaves a subject out).
    if (msg.subject === this.ownSubject) {
      msg.ack();
      return;
    }
    const parsed = parseBridged(msg.data);
    if ("refused" in parsed) {
      this.refused++;
      logger.warn(`cluster: a bridged message was refused: ${parsed.refused}`);
      msg.term();
      return;
    }
    const { envelope } = parsed;
    if (envelope.node === node) {
      msg.ack();
      return;
    }
    const failed = (error: unknown) => {
      if (msg.info.deliveryCount < MAX_DELIVERIES) {
        msg.nak(1_000 * msg.info.deliveryCount);
        return;
      }
      this.deadLettered++;
      bus.deadLetters.add(envelope, BRIDGE_SUBSCRIBER, messageOf(error), clock.now());
      msg.term();
    };
    try {
      if (!this.seen.has(envelope.id)) {
        const seq = journal.nextSeq();
        journal.record(seq, envelope);
        this.remember(envelope.id);
        this.received++;
        bus.deliver(envelope, seq);
      }
    } catch (error) {
      failed(error);
      return;
    }
    // Acknowledged once written: a manager that dies before has it delivered again.
    journal.whenFlushed().then(() => msg.ack(), failed);
  }

  private remember(id: string): void {
    this.seen.add(id);
    if (this.seen.size > SEEN_IDS) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }
}
