/**
 * A durable subscription (SPEC §5, P8): a named subscriber's handler for one type whose
 * acknowledged position lives in the journal, so that a manager started again delivers what the
 * subscriber had not acknowledged, at least once, in order.
 *
 * A delivery is acknowledged when the handler returns, when the promise it returned settles, or
 * when it failed and the dead-letter queue took it over. The position written is the last seq
 * before the oldest delivery still in flight. A subscription that finds its position behind the
 * journal's head first catches up from the journal, a chunk per turn of the event loop, ignoring
 * live events meanwhile (they are in the journal too), then goes live in the same turn as its
 * last chunk, so that nothing falls between.
 */
import type { Envelope } from "../../machines/envelope.ts";
import type { BusJournal } from "./bus-journal.ts";

/** Events read from the journal per turn while catching up. */
const CATCH_UP_CHUNK = 256;

export interface DurableSubscriptionOptions {
  journal: BusJournal;
  /** The journal's key for this subscription: subscriber and type. */
  key: string;
  type: string;
  /** Calls the handler; resolves (never rejects) when an async handler has settled. */
  invoke: (envelope: Envelope) => Promise<void> | undefined;
}

export class DurableSubscription {
  /** The last seq handed to the handler. */
  private position: number;
  /** The last seq before the oldest delivery not yet acknowledged: what the journal keeps. */
  private acknowledged: number;
  private readonly untrack: () => void;
  /** Seqs of async deliveries not settled yet, oldest first. */
  private readonly inflight: number[] = [];
  private catchingUp = false;
  private closed = false;

  constructor(private readonly options: DurableSubscriptionOptions) {
    const { journal, key } = options;
    // A first subscription starts at the head: no history before it.
    const acknowledged = journal.cursor(key) ?? journal.headSeq;
    this.position = acknowledged;
    this.acknowledged = acknowledged;
    this.untrack = journal.trackCursor(key, () => this.acknowledged);
    if (acknowledged < journal.headSeq) {
      this.catchingUp = true;
      setImmediate(() => this.catchUp());
    }
  }

  /** A live delivery: `seq` is its place in the journal (0: an event the journal never saw). */
  deliver(envelope: Envelope, seq: number): void {
    if (this.closed) return;
    if (seq === 0) {
      void this.options.invoke(envelope);
      return;
    }
    if (this.catchingUp || seq <= this.position) return;
    this.handle(envelope, seq);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.untrack();
  }

  private handle(envelope: Envelope, seq: number): void {
    this.position = seq;
    const settled = this.options.invoke(envelope);
    if (settled === undefined) {
      if (this.inflight.length === 0) this.acknowledged = seq;
      return;
    }
    this.inflight.push(seq);
    void settled.then(() => this.settled(seq));
  }

  private settled(seq: number): void {
    const index = this.inflight.indexOf(seq);
    if (index >= 0) this.inflight.splice(index, 1);
    this.acknowledged = this.inflight.length > 0 ? this.inflight[0]! - 1 : this.position;
    this.options.journal.requestFlush();
  }

  private catchUp(): void {
    if (this.closed) return;
    const { journal, type } = this.options;
    const chunk = journal.readAfter(this.position, type, CATCH_UP_CHUNK);
    for (const { seq, envelope } of chunk) {
      if (this.closed) return;
      this.handle(envelope, seq);
    }
    this.options.journal.requestFlush();
    if (chunk.length < CATCH_UP_CHUNK) this.catchingUp = false;
    else setImmediate(() => this.catchUp());
  }
}
