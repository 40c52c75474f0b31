/**
 * The event bus (SPEC §5): RxJS Subjects carrying envelopes. Every handler is wrapped, so one
 * that throws or rejects never reaches the Subject (rxjs 6104, 2145): its delivery lands in the
 * dead-letter queue and everyone else keeps receiving.
 *
 * A gate (`setGate`) may take over what `publish` does with each envelope: EVENT_ROUTER's gate
 * (runtime/builtins/router-gate.ts) holds daemons' events while the router is not RUNNING and
 * hands them to `deliver` once it is. Without a gate, `publish` delivers at once.
 */
import type { Observable } from "rxjs";
import { Subject, type Subscription } from "rxjs";
import type { WardenClock } from "../../actors/clock.ts";
import { messageOf } from "../../machines/errors.ts";
import { DeadLetterQueue } from "./dead-letter-queue.ts";
import type { BusClient } from "../../actors/daemon-types.ts";
import type { Envelope, EventData } from "../../machines/envelope.ts";

export type EventHandler<T = unknown> = (event: Envelope<T>) => void | Promise<void>;

export interface SubscribeOptions {
  /** Names the subscriber in dead letters. */
  subscriber?: string;
  /** Runs each delivery, e.g. as the subscribing daemon's own code. */
  run?: <T>(fn: () => T) => T;
}

/**
 * Takes over `publish` (EventBus.setGate): `route` receives each new envelope instead of
 * `deliver`, and delivers it with `EventBus.deliver` now, later, or never (it throws instead).
 */
export interface PublishGate {
  route(envelope: Envelope): void;
}

export interface EventBusOptions {
  clock: WardenClock;
  /** The cluster node, stamped on every envelope when set. */
  node?: string;
  deadLetters?: DeadLetterQueue;
}

const BASE36_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz";

export class EventBus {
  private readonly all = new Subject<Envelope>();
  private readonly byType = new Map<string, Subject<Envelope>>();
  private readonly idPrefix = Math.floor(Math.random() * 36 ** 6).toString(36);
  private seq = 0;
  private gate: PublishGate | undefined;
  /** `${idPrefix}-` and every base-36 digit of `seq` but the last; renewed every 36 events. */
  private idStem = `${this.idPrefix}-`;
  readonly deadLetters: DeadLetterQueue;
  /** Every event published, in order. */
  readonly events$: Observable<Envelope> = this.all.asObservable();

  constructor(private readonly options: EventBusOptions) {
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
    if (this.gate) this.gate.route(envelope);
    else this.deliver(envelope);
    return envelope;
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
   * another node), or one a gate lets through.
   */
  deliver(envelope: Envelope): void {
    // Skipping a Subject nobody observes changes nothing (neither is ever closed) and saves
    // most of the cost of an event with no "*" subscriber.
    const subject = this.byType.get(envelope.type);
    if (subject?.observed) subject.next(envelope);
    if (this.all.observed) this.all.next(envelope);
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
    // Without `run`, no closure per delivery.
    return this.source(type).subscribe(
      run
        ? (envelope) => run(() => this.invoke(envelope, handler as EventHandler, subscriber))
        : (envelope) => this.invoke(envelope, handler as EventHandler, subscriber),
    );
  }

  /** The events of one type ("*" for all) as an Observable. */
  on<K extends string>(type: K | "*"): Observable<Envelope<EventData<K>>> {
    return this.source(type).asObservable() as Observable<Envelope<EventData<K>>>;
  }

  /** The bus as one publisher sees it: its events carry its name and its handlers its identity. */
  client(source: string, run?: <T>(fn: () => T) => T): BusClient {
    return {
      publish: (type, data) => this.publish(type, data, source),
      subscribe: (type, handler) =>
        this.subscribe(type, handler, { subscriber: source, ...(run ? { run } : {}) }),
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

  private invoke(envelope: Envelope, handler: EventHandler, subscriber: string): void {
    try {
      const result = handler(envelope);
      if (result && typeof (result as Promise<void>).then === "function") {
        (result as Promise<void>).then(undefined, (error: unknown) =>
          this.deadLetter(envelope, subscriber, error),
        );
      }
    } catch (error) {
      this.deadLetter(envelope, subscriber, error);
    }
  }

  private deadLetter(envelope: Envelope, subscriber: string, error: unknown): void {
    this.deadLetters.add(envelope, subscriber, messageOf(error), this.options.clock.now());
  }
}
