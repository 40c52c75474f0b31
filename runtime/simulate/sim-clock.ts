/**
 * The simulator's clock: a WardenClock (actors/clock.ts) whose time moves only when the
 * simulation steps it. Like xstate's SimulatedClock, but its timers sit in a binary heap ordered
 * by (due time, creation order): finding the next one is O(log n) instead of a sort of every
 * timer per step, which a simulated day of tens of thousands of steps needs; and timers due at
 * the same instant fire in the order they were set, whatever the heap's shape, so a run is the
 * same on every machine.
 */
import type { WardenClock } from "../../actors/clock.ts";

interface Timer {
  due: number;
  id: number;
  fn: (...args: unknown[]) => void;
  cleared: boolean;
}

/**
 * A clock that moves only when told to.
 *
 * @example
 * const clock = new SimulationClock(0);
 * clock.setTimeout(() => console.log("due"), 1000);
 * clock.fireDue(clock.nextDue()!); // prints "due"; clock.now() is 1000
 */
export class SimulationClock implements WardenClock {
  private current: number;
  private nextId = 1;
  private readonly heap: Timer[] = [];
  /** Timers set and neither fired nor cleared, by id. A cleared one stays in the heap, skipped. */
  private readonly live = new Map<number, Timer>();

  constructor(readonly startedAt = 0) {
    this.current = startedAt;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: (...args: unknown[]) => void, timeout: number): number {
    const id = this.nextId++;
    const delay = Number.isFinite(timeout) && timeout > 0 ? timeout : 0;
    const timer: Timer = { due: this.current + delay, id, fn, cleared: false };
    this.live.set(id, timer);
    this.push(timer);
    return id;
  }

  clearTimeout(id: unknown): void {
    const timer = this.live.get(id as number);
    if (timer === undefined) return;
    timer.cleared = true;
    this.live.delete(timer.id);
  }

  /** When the earliest live timer is due, or undefined when none is set. */
  nextDue(): number | undefined {
    this.dropCleared();
    return this.heap[0]?.due;
  }

  /**
   * Moves the time to `time` (never back) and fires every timer due by then whose turn has come
   * at the current instant: the earliest due time first; all timers of that instant, including
   * those set while they fire with no delay. Returns how many fired.
   */
  fireDue(time: number): number {
    if (time > this.current) this.current = time;
    let fired = 0;
    for (;;) {
      this.dropCleared();
      const top = this.heap[0];
      if (top === undefined || top.due > this.current) return fired;
      this.pop();
      this.live.delete(top.id);
      fired++;
      top.fn.call(null);
    }
  }

  /** Timers set and not yet fired or cleared. */
  get pending(): number {
    return this.live.size;
  }

  private dropCleared(): void {
    while (this.heap.length > 0 && this.heap[0]!.cleared) this.pop();
  }

  private push(timer: Timer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.due < b.due || (a.due === b.due && a.id < b.id);
}
