/**
 * Outbound event bridging (SPEC §11): the local events whose types `cluster.events` lists go to
 * JetStream (`warden.events.<node>`), in journal order, each once acknowledged by the server
 * before the next. The sender reads the local journal from a cursor of its own (kept in the
 * journal like a durable subscription's), so events published while NATS is away simply wait
 * there, across manager restarts too, and go out in order after reconnecting. The envelope id
 * is the JetStream message id: a resend after a lost acknowledgement is deduplicated.
 *
 * The live fast path: when the sender is caught up (it has read the whole journal, nothing is in
 * flight, NATS is connected) and the event just delivered on the bus is the journal's next
 * one, it is published at once from memory instead of after a journal write and read-back. The
 * journal stays the authority: the sender then reads the event back as always and, finding it
 * acknowledged, moves its position past it without sending it again; a fast publish that fails
 * leaves it to that read, which sends it in order. A manager that dies in between sends it
 * again after restarting, and JetStream stores it once (same message id).
 */
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Observable, Subscription } from "rxjs";
import type { WardenClock } from "../../actors/clock.ts";
import type { Envelope } from "../../machines/envelope.ts";
import { messageOf } from "../../machines/errors.ts";
import type { BusJournal } from "../bus/bus-journal.ts";
import { envelopeJson } from "../bus/envelope-json.ts";
import type { Logger } from "../logger.ts";
import { BRIDGED_BYTES, EVENTS_SUBJECT_PREFIX } from "./bridge-stream.ts";
import type { NatsLink } from "./nats-link.ts";

/** The journal's key for the sender's position. */
export const BRIDGE_CURSOR = "cluster-bridge:out";
/** Journaled events read per step. */
const CHUNK = 256;
/** Wait before trying again after a failure (NATS away, a refused publish). */
const RETRY_MS = 1_000;

export interface BridgeOutOptions {
  link: NatsLink;
  journal: BusJournal;
  events$: Observable<Envelope>;
  node: string;
  types: readonly string[];
  clock: WardenClock;
  logger: Logger;
}

export class BridgeOut {
  private cursor = 0;
  private untrack: (() => void) | undefined;
  private subscriptions: Subscription[] = [];
  private pumping = false;
  private again = false;
  private retry: unknown;
  private closed = false;
  private client: { nc: NatsConnection; js: JetStreamClient } | undefined;
  /** Whether the last pass read the journal to its end (the cursor is its head then). */
  private caughtUp = false;
  /** The fast publish in flight, if any; the pump waits for it before reading. */
  private fast: Promise<void> | undefined;
  /**
   * Ids published by the fast path and acknowledged, with the journal number each was taken
   * for, until the pump reads them back (or reads past that number: an event the gate held back
   * and the pump had sent already, which JetStream deduplicated).
   */
  private readonly sentEarly = new Map<string, number>();
  /** Events sent since start (`live` of them by the fast path); oversized ones skipped. */
  sent = 0;
  live = 0;
  skipped = 0;

  constructor(private readonly options: BridgeOutOptions) {}

  start(): void {
    const { journal, events$, link, types } = this.options;
    this.cursor = journal.cursor(BRIDGE_CURSOR) ?? journal.headSeq;
    this.untrack = journal.trackCursor(BRIDGE_CURSOR, () => this.cursor);
    this.subscriptions.push(
      events$.subscribe((envelope) => {
        if (!types.includes(envelope.type) || !this.bridged(envelope)) return;
        this.publishLive(envelope);
        this.wake();
      }),
      link.connection$.subscribe((nc) => {
        if (nc !== undefined) this.wake();
      }),
    );
    this.wake();
  }

  /** Journaled events not sent yet, at most (the journal's head minus the sender's position). */
  get behind(): number {
    return Math.max(0, this.options.journal.headSeq - this.cursor);
  }

  close(): void {
    this.closed = true;
    this.options.clock.clearTimeout(this.retry);
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.untrack?.();
  }

  private wake(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void this.pump().finally(() => {
      this.pumping = false;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  /**
   * The fast path: `envelope`, just delivered, goes out now when it is certainly the next event
   * to send — the pump is idle at the journal's end and the journal's newest number is the one
   * after the cursor — and NATS is connected. Otherwise the pump sends it, as ever.
   */
  private publishLive(envelope: Envelope): void {
    const { journal, link, node } = this.options;
    const nc = link.current;
    if (this.closed || this.pumping || !this.caughtUp || this.fast !== undefined) return;
    if (nc === undefined || journal.headSeq !== this.cursor + 1) return;
    const bytes = new TextEncoder().encode(envelopeJson({ ...envelope, node }));
    if (bytes.length > BRIDGED_BYTES) return; // the pump skips it and says so
    this.caughtUp = false;
    const seq = journal.headSeq;
    this.fast = this.clientOf(nc)
      .publish(`${EVENTS_SUBJECT_PREFIX}.${node}`, bytes, { msgID: envelope.id })
      .then(
        () => {
          this.sentEarly.set(envelope.id, seq);
          this.sent++;
          this.live++;
        },
        () => {}, // the pump reads it back and sends it, in order
      )
      .finally(() => (this.fast = undefined));
  }

  /** Sends what the journal holds after the cursor, in order, until it is all sent or fails. */
  private async pump(): Promise<void> {
    const { journal, link, node, types, logger } = this.options;
    try {
      for (;;) {
        const nc = link.current;
        this.caughtUp = false;
        if (nc === undefined || this.closed) return;
        if (this.fast !== undefined) await this.fast;
        // Written now rather than at the end of this turn: an event goes out without waiting.
        journal.flush();
        await journal.whenFlushed();
        const batch = journal.readAfter(this.cursor, "*", CHUNK);
        if (batch.length === 0) {
          this.caughtUp = this.sentEarly.size === 0;
          return;
        }
        const js = this.clientOf(nc);
        for (const { seq, envelope } of batch) {
          if (this.closed) return;
          if (this.sentEarly.delete(envelope.id)) {
            // Sent by the fast path and acknowledged: only the position moves.
          } else if (types.includes(envelope.type) && this.bridged(envelope)) {
            const bytes = new TextEncoder().encode(envelopeJson({ ...envelope, node }));
            if (bytes.length > BRIDGED_BYTES) {
              this.skipped++;
              logger.warn(
                `cluster: ${envelope.type} ${envelope.id} is over ${BRIDGED_BYTES} bytes: not bridged`,
              );
            } else {
              await js.publish(`${EVENTS_SUBJECT_PREFIX}.${node}`, bytes, { msgID: envelope.id });
              this.sent++;
            }
          }
          this.cursor = seq;
        }
        for (const [id, seq] of this.sentEarly) if (seq <= this.cursor) this.sentEarly.delete(id);
        journal.requestFlush();
      }
    } catch (error) {
      if (this.closed) return;
      logger.debug(`cluster: bridging paused: ${messageOf(error)}; trying again`);
      this.options.clock.clearTimeout(this.retry);
      this.retry = this.options.clock.setTimeout(() => this.wake(), RETRY_MS);
    }
  }

  /** One JetStream client per connection. */
  private clientOf(nc: NatsConnection): JetStreamClient {
    if (this.client?.nc !== nc) this.client = { nc, js: jetstream(nc) };
    return this.client.js;
  }

  /** Only this node's own events go out: those from other nodes came through the bridge. */
  private bridged(envelope: Envelope): boolean {
    return envelope.node === undefined || envelope.node === this.options.node;
  }
}
