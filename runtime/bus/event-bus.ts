/**
 * The event bus (SPEC §5): RxJS Subjects carrying envelopes. Every handler is wrapped, so one
 * that throws or rejects never reaches the Subject (rxjs 6104, 2145): its delivery lands in the
 * dead-letter queue and everyone else keeps receiving.
 *
 * A gate (`setGate`) may take over what `publish` does with each envelope: EVENT_ROUTER's gate
 * (runtime/builtins/router-gate.ts) holds daemons' events while the router is not RUNNING and
 * hands them to `deliver` once it is. Without a gate, `publish` delivers at once.
 *
 * With a journal (`options.journal`, runtime/journal/journal.ts), every envelope is numbered and
 * recorded before it is delivered; `publishAcknowledged` resolves once it is written, and
 * subscriptions with `durable: true` keep their acknowledged position in the journal
 * (durable-subscription.ts). Without one, nothing of that costs anything.
 */
import type { Observable } from "rxjs";
import { Subject, type Subscription } from "rxjs";
import type { WardenClock } from "../../actors/clock.ts";
import { messageOf } from "../../machines/errors.ts";
import type { BusJournal } from "./bus-journal.ts";
import { DeadLetterQueue } from "./dead-letter-queue.ts";
import { DurableSubscription } from "./durable-subscription.ts";
import type { BusClient } from "../../actors/daemon-types.ts";
import type { Envelope, EventData } from "../../machines/envelope.ts";

export type EventHandler<T = unknown> = (event: Envelope<T>) => void | Promise<void>;

export interface SubscribeOptions {
  /** Names the subscriber in dead letters. */
  subscriber?: string;
  /** Runs each delivery, e.g. as the subscribing daemon's own code. */
  run?: <T>(fn: () => T) => T;
  /**
   * Keeps the subscriber's acknowledged position in the journal (needs a journal and a
   * `subscriber`): a manager started again delivers what it had not acknowledged.
   */
  durable?: boolean;
}

/**
 * Takes over `publish` (EventBus.setGate): `route` receives each new envelope instead of
 * `deliver`, and delivers it with `EventBus.deliver` now, later, or never (it throws instead).
 */
export interface PublishGate {
  /** `seq`: the envelope's number in the journal, to pass on to `deliver` (0 without one). */
  route(envelope: Envelope, seq: number): void;
}

export interface EventBusOptions {
  clock: WardenClock;
  /** The cluster node, stamped on every envelope when set. */
  node?: string;
  deadLetters?: DeadLetterQueue;
  /** Where every envelope is recorded before it is delivered. */
  journal?: BusJournal;
  /** The prefix of envelope ids (`<prefix>-<seq>`). Default: random, per bus; fixed in simulations. */
  idPrefix?: string;
}

/** A named subscriber's handler, for `redeliver`. */
interface Registered {
  type: string;
  handler: EventHandler;
  run: (<T>(fn: () => T) => T) | undefined;
}

const BASE36_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz";

export class EventBus {
  private readonly all = new Subject<Envelope>();
  private readonly byType = new Map<string, Subject<Envelope>>();
  private readonly idPrefix: string;
  private seq = 0;
  private gate: PublishGate | undefined;
  /** The journal number of the envelope being delivered (0: none). */
  private deliveringSeq = 0;
  /** Named subscribers' handlers, for the DLQ_RETRY daemon's `redeliver`. */
  private readonly registered = new Map<string, Set<Registered>>();
  /** `${idPrefix}-` and every base-36 digit of `seq` but the last; renewed every 36 events. */
  private idStem: string;
  readonly deadLetters: DeadLetterQueue;
  /** Every event published, in order. */
  readonly events$: Observable<Envelope> = this.all.asObservable();

  constructor(private readonly options: EventBusOptions) {
    this.idPrefix = options.idPrefix ?? Math.floor(Math.random() * 36 ** 6).toString(36);
    this.idStem = `${this.idPrefix}-`;
    this.deadLetters = options.deadLetters ?? new DeadLetterQueue();
  }

  /**
   * Publishes an event and returns its envelope.
   *
   * @example
   * bus.publish("DISK_USAGE", { percent: 71 }, "disk-monitor");
   */
  publish<K extends string>(
    type: K,
    data: EventData<K>,
    source = "warden",
  ): Envelope<EventData<K>> {
    const envelope: Envelope<EventData<K>> = {
      id: this.nextId(),
      type,
      source,
      time: this.options.clock.now(),
      data,
    };
    if (this.options.node !== undefined) envelope.node = this.options.node;
    const journal = this.options.journal;
    if (journal === undefined) {
      if (this.gate) this.gate.route(envelope, 0);
      else this.deliver(envelope, 0);
      return envelope;
    }
    const seq = journal.nextSeq();
    journal.record(seq, envelope);
    if (this.gate) {
      try {
        this.gate.route(envelope, seq);
      } catch (error) {
        journal.discard(seq);
        throw error;
      }
    } else {
      this.deliver(envelope, seq);
    }
    return envelope;
  }

  /**
   * Publishes an event and resolves once it is journaled: the acknowledgement external
   * publishers wait for (POST /v1/events, `warden emit`). Without a journal, at once.
   */
  async publishAcknowledged<K extends string>(
    type: K,
    data: EventData<K>,
    source = "warden",
  ): Promise<Envelope<EventData<K>>> {
    const envelope = this.publish(type, data, source);
    await this.options.journal?.whenFlushed();
    return envelope;
  }

  /** The journal the bus records into, if any. */
  get journal(): BusJournal | undefined {
    return this.options.journal;
  }

  /**
   * Hands every envelope `publish` makes from now on to `gate` (undefined: deliver at once
   * again). One gate at a time: setting a second one throws.
   *
   * @example
   * bus.setGate({ route: (envelope) => bus.deliver(envelope) }); // a gate that changes nothing
   */
  setGate(gate: PublishGate | undefined): void {
    if (gate && this.gate && this.gate !== gate) throw new Error("the bus already has a gate");
    this.gate = gate;
  }

  /**
   * Delivers an envelope as it is, now, past any gate: one made elsewhere (another process,
   * another node), or one a gate lets through. `seq` is its number in the journal, when it has
   * one (durable subscriptions acknowledge it); 0 for none.
   */
  deliver(envelope: Envelope, seq = 0): void {
    // Skipping a Subject nobody observes changes nothing (neither is ever closed) and saves
    // most of the cost of an event with no "*" subscriber.
    const subject = this.byType.get(envelope.type);
    const outer = this.deliveringSeq;
    if (seq === 0 && outer === 0) {
      // No journal numbers in play (a bus without a journal): nothing to keep track of.
      if (subject?.observed) subject.next(envelope);
      if (this.all.observed) this.all.next(envelope);
      return;
    }
    this.deliveringSeq = seq;
    try {
      if (subject?.observed) subject.next(envelope);
      if (this.all.observed) this.all.next(envelope);
    } finally {
      this.deliveringSeq = outer;
    }
  }

  /**
   * Calls `handler` for every event of `type` ("*" for all); a throw or rejection becomes a
   * dead letter.
   *
   * @example
   * bus.subscribe("DISK_USAGE", (event) => console.log(event.data.percent), { subscriber: "ui" });
   */
  subscribe<K extends string>(
    type: K | "*",
    handler: EventHandler<EventData<K>>,
    options: SubscribeOptions = {},
  ): Subscription {
    const subscriber = options.subscriber ?? "anonymous";
    const run = options.run;
    const journal = this.options.journal;
    const subscription =
      options.durable && journal && options.subscriber !== undefined
        ? this.durable(journal, type, handler as EventHandler, subscriber, run)
        : this.source(type).subscribe(
            // Without `run`, no closure per delivery.
            run
              ? (envelope) => {
                  run(() => this.invoke(envelope, handler as EventHandler, subscriber));
                }
              : (envelope) => {
                  this.invoke(envelope, handler as EventHandler, subscriber);
                },
          );
    if (options.subscriber !== undefined) {
      this.register(subscriber, { type, handler: handler as EventHandler, run }, subscription);
    }
    return subscription;
  }

  /**
   * Delivers `envelope` again to the handlers `subscriber` has for its type, now: the
   * DLQ_RETRY daemon's retry. Resolves "delivered", or "absent" when the subscriber has no such
   * handler now (it is not running); rejects with the handler's error.
   */
  async redeliver(subscriber: string, envelope: Envelope): Promise<"delivered" | "absent"> {
    const handlers = [...(this.registered.get(subscriber) ?? [])].filter(
      ({ type }) => type === "*" || type === envelope.type,
    );
    if (handlers.length === 0) return "absent";
    for (const { handler, run } of handlers) {
      await (run ? run(() => handler(envelope)) : handler(envelope));
    }
    return "delivered";
  }

  /** The events of one type ("*" for all) as an Observable. */
  on<K extends string>(type: K | "*"): Observable<Envelope<EventData<K>>> {
    return this.source(type).asObservable() as Observable<Envelope<EventData<K>>>;
  }

  /**
   * The bus as one daemon sees it: its events carry its name, its handlers its identity, and its
   * subscriptions are durable when the bus has a journal.
   */
  client(source: string, run?: <T>(fn: () => T) => T): BusClient {
    return {
      publish: (type, data) => this.publish(type, data, source),
      subscribe: (type, handler) =>
        this.subscribe(type, handler, {
          subscriber: source,
          durable: true,
          ...(run ? { run } : {}),
        }),
      on: (type) => this.on(type),
    };
  }

  /** `${idPrefix}-${seq.toString(36)}`, without a Number#toString(36) per event. */
  private nextId(): string {
    const seq = ++this.seq;
    const last = seq % 36;
    if (last === 0) this.idStem = `${this.idPrefix}-${(seq / 36).toString(36)}`;
    return this.idStem + BASE36_DIGITS[last]!;
  }

  private source(type: string): Subject<Envelope> {
    if (type === "*") return this.all;
    let subject = this.byType.get(type);
    if (!subject) {
      subject = new Subject<Envelope>();
      this.byType.set(type, subject);
    }
    return subject;
  }

  /**
   * Calls a handler; a throw or rejection becomes a dead letter. Returns, for an async handler,
   * a promise that resolves (never rejects) once it has settled.
   */
  private invoke(
    envelope: Envelope,
    handler: EventHandler,
    subscriber: string,
  ): Promise<void> | undefined {
    try {
      const result = handler(envelope);
      if (result && typeof (result as Promise<void>).then === "function") {
        return (result as Promise<void>).then(undefined, (error: unknown) =>
          this.deadLetter(envelope, subscriber, error),
        );
      }
    } catch (error) {
      this.deadLetter(envelope, subscriber, error);
    }
    return undefined;
  }

  private durable(
    journal: BusJournal,
    type: string,
    handler: EventHandler,
    subscriber: string,
    run: (<T>(fn: () => T) => T) | undefined,
  ): Subscription {
    const durable = new DurableSubscription({
      journal,
      key: `${subscriber} ${type}`,
      type,
      invoke: run
        ? (envelope) => run(() => this.invoke(envelope, handler, subscriber))
        : (envelope) => this.invoke(envelope, handler, subscriber),
    });
    const subscription = this.source(type).subscribe((envelope) =>
      durable.deliver(envelope, this.deliveringSeq),
    );
    subscription.add(() => durable.close());
    return subscription;
  }

  private register(subscriber: string, entry: Registered, subscription: Subscription): void {
    let entries = this.registered.get(subscriber);
    if (!entries) {
      entries = new Set();
      this.registered.set(subscriber, entries);
    }
    entries.add(entry);
    subscription.add(() => {
      entries.delete(entry);
      if (entries.size === 0 && this.registered.get(subscriber) === entries) {
        this.registered.delete(subscriber);
      }
    });
  }

  private deadLetter(envelope: Envelope, subscriber: string, error: unknown): void {
    this.deadLetters.add(envelope, subscriber, messageOf(error), this.options.clock.now());
  }
}
