import { Subject, type Observable } from "rxjs";
import { DEFAULTS } from "../../machines/defaults.ts";
import type { Envelope } from "../../machines/envelope.ts";

/** A delivery that failed: which event, to which subscriber, and why. */
export interface DeadLetter {
  id: string;
  envelope: Envelope;
  subscriber: string;
  error: string;
  attempts: number;
  firstFailedAt: number;
  lastFailedAt: number;
}

/**
 * Where deliveries go when a subscriber throws or rejects (SPEC §5). In memory for now; the
 * journal and the DLQ_RETRY daemon build on `add`/`list`/`remove`.
 *
 * @example
 * bus.deadLetters.list(); // [{ envelope, subscriber: "consumer", error: "boom", ... }]
 */
export class DeadLetterQueue {
  private readonly letters = new Map<string, DeadLetter>();
  private readonly added = new Subject<DeadLetter>();
  private seq = 0;
  /** Every dead letter as it arrives. */
  readonly added$: Observable<DeadLetter> = this.added.asObservable();

  constructor(private readonly capacity: number = DEFAULTS.events.deadLetterCapacity) {}

  add(envelope: Envelope, subscriber: string, error: string, time: number): DeadLetter {
    const letter: DeadLetter = {
      id: `dlq-${++this.seq}`,
      envelope,
      subscriber,
      error,
      attempts: 1,
      firstFailedAt: time,
      lastFailedAt: time,
    };
    this.letters.set(letter.id, letter);
    // Bounded: the oldest letters make room, so a hot failing subscriber cannot exhaust memory.
    if (this.letters.size > this.capacity) {
      const oldest = this.letters.keys().next().value;
      if (oldest !== undefined) this.letters.delete(oldest);
    }
    this.added.next(letter);
    return letter;
  }

  list(): DeadLetter[] {
    return [...this.letters.values()];
  }

  get size(): number {
    return this.letters.size;
  }

  remove(id: string): boolean {
    return this.letters.delete(id);
  }

  clear(): number {
    const count = this.letters.size;
    this.letters.clear();
    return count;
  }
}
