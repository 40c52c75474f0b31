/**
 * EVENT_ROUTER's gate on the event bus (a `PublishGate`, runtime/bus/event-bus.ts): the events
 * daemons publish reach subscribers only while the router is RUNNING. Before that, and while it
 * stops, restarts or is FAILED, they wait in one queue and go out in publish order (so in order
 * per source, each with its publish `time`) once it is RUNNING again. The queue is bounded in
 * events and in bytes; beyond, `publish` throws WARDEN_ERR_EVENT_ROUTER_FULL and the refusal is
 * counted: nothing is dropped silently.
 *
 * The manager's own lifecycle events (`DAEMON_*` from source `warden`) always pass at once, so
 * that status, history and metrics keep working; the gate reads the router's own ones to know
 * when it is RUNNING: its DAEMON_STARTED opens the gate, its other state events close it.
 *
 * Delivery through the gate is a trampoline: an event published while another one is being
 * delivered waits for that delivery to finish, so every subscriber sees routed events in publish
 * order even when a handler publishes.
 */
import { Buffer } from "node:buffer";
import { LIFECYCLE_EVENT_TYPES, type Envelope } from "../../machines/envelope.ts";
import { WardenError } from "../../machines/errors.ts";
import { envelopeJson } from "../bus/envelope-json.ts";
import type { EventBus, PublishGate } from "../bus/event-bus.ts";

/** The source of the manager's own events (runtime/manager/lifecycle-events.ts). */
const MANAGER_SOURCE = "warden";
const LIFECYCLE_TYPES: ReadonlySet<string> = new Set(LIFECYCLE_EVENT_TYPES);
/** Delivered slots at the front of the queue worth copying the rest to drop. */
const COMPACT_AFTER = 1024;

export interface RouterGateOptions {
  maxHeldEvents: number;
  /** Bytes of the held envelopes as JSON (UTF-8). */
  maxHeldBytes: number;
}

/** What the gate has done since it was made. */
export interface RouterGateCounts {
  /** Events waiting now. */
  held: number;
  heldBytes: number;
  /** Events delivered through the gate (at once or after waiting); lifecycle events not counted. */
  delivered: number;
  /** Publishes refused because the queue was full. */
  refused: number;
}

interface Held {
  envelope: Envelope;
  bytes: number;
  /** Its number in the journal (0: none). */
  seq: number;
}

/**
 * Closed when made: install it with `bus.setGate(gate)` and tell it the router's name with
 * `follow(name)`; the router's DAEMON_STARTED then opens it.
 *
 * @example
 * const gate = new RouterGate(bus, { maxHeldEvents: 10_000, maxHeldBytes: 8 * 1024 * 1024 });
 * bus.setGate(gate);
 * gate.follow("EVENT_ROUTER");
 */
export class RouterGate implements PublishGate {
  private routerName: string | undefined;
  private isOpen = false;
  /** Inside a delivery made by the gate: new events wait their turn. */
  private delivering = false;
  private items: (Held | undefined)[] = [];
  private head = 0;
  private bytes = 0;
  private delivered = 0;
  private refused = 0;

  constructor(
    private readonly bus: EventBus,
    private readonly options: RouterGateOptions,
  ) {
    for (const [key, value] of Object.entries(options)) {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`EVENT_ROUTER ${key} must be a positive integer, got ${value}`);
      }
    }
  }

  /** The name the router runs under: its lifecycle events open and close the gate. */
  follow(name: string): void {
    this.routerName = name;
  }

  route(envelope: Envelope, seq: number): void {
    if (envelope.source === MANAGER_SOURCE && LIFECYCLE_TYPES.has(envelope.type)) {
      this.passLifecycle(envelope, seq);
    } else if (!this.isOpen || this.delivering) {
      this.hold(envelope, seq);
    } else {
      this.delivering = true;
      try {
        this.pass(envelope, seq);
        this.drain();
      } finally {
        this.delivering = false;
      }
    }
  }

  /** Lets events through, those held first, in order. */
  openGate(): void {
    this.isOpen = true;
    if (this.delivering) return; // the delivery in progress goes on with what is held
    this.delivering = true;
    try {
      this.drain();
    } finally {
      this.delivering = false;
    }
  }

  /** Holds events from now on. */
  closeGate(): void {
    this.isOpen = false;
  }

  counts(): RouterGateCounts {
    return {
      held: this.size,
      heldBytes: this.bytes,
      delivered: this.delivered,
      refused: this.refused,
    };
  }

  /** How full the queue is, 0 to 1: the larger of its share of the event and byte limits. */
  fullness(): number {
    return Math.max(this.size / this.options.maxHeldEvents, this.bytes / this.options.maxHeldBytes);
  }

  private get size(): number {
    return this.items.length - this.head;
  }

  private passLifecycle(envelope: Envelope, seq: number): void {
    const daemon = (envelope.data as { daemon?: unknown } | null)?.daemon;
    const ours = daemon !== undefined && daemon === this.routerName;
    if (!ours || envelope.type === "DAEMON_HEALTH_CHANGED") {
      this.bus.deliver(envelope, seq);
    } else if (envelope.type === "DAEMON_STARTED") {
      // Announced first, then what waited for it.
      this.bus.deliver(envelope, seq);
      this.openGate();
    } else {
      this.closeGate();
      this.bus.deliver(envelope, seq);
    }
  }

  private hold(envelope: Envelope, seq: number): void {
    const bytes = Buffer.byteLength(envelopeJson(envelope));
    const { maxHeldEvents, maxHeldBytes } = this.options;
    if (this.size >= maxHeldEvents || this.bytes + bytes > maxHeldBytes) {
      this.refused++;
      const name = this.routerName ?? "EVENT_ROUTER";
      throw new WardenError(
        "WARDEN_ERR_EVENT_ROUTER_FULL",
        `${name} holds ${this.size} events (${this.bytes} bytes) until it is RUNNING, its limit ` +
          `is ${maxHeldEvents} events or ${maxHeldBytes} bytes: event "${envelope.type}" from ` +
          `"${envelope.source}" (${bytes} bytes) is refused`,
      );
    }
    this.items.push({ envelope, bytes, seq });
    this.bytes += bytes;
  }

  /** Delivers what is held, oldest first, while the gate stays open. */
  private drain(): void {
    while (this.isOpen && this.head < this.items.length) {
      const held = this.items[this.head]!;
      this.items[this.head++] = undefined;
      this.bytes -= held.bytes;
      if (this.head === this.items.length) {
        this.items = [];
        this.head = 0;
      } else if (this.head >= COMPACT_AFTER && this.head * 2 >= this.items.length) {
        // Closed again mid-way now and then: do not keep the delivered slots for ever.
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      this.pass(held.envelope, held.seq);
    }
  }

  private pass(envelope: Envelope, seq: number): void {
    this.delivered++;
    this.bus.deliver(envelope, seq);
  }
}
