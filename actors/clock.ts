import type { AnyActorRef, EventObject } from "xstate";

/** The part of an XState actor system's scheduler that delayed events go through. */
interface DelayedEventScheduler {
  schedule(
    source: AnyActorRef,
    target: AnyActorRef,
    event: EventObject,
    delay: number,
    id: string | undefined,
  ): void;
  cancel(source: AnyActorRef, id: string): void;
  cancelAll(actorRef: AnyActorRef): void;
}

type AnyActorSystem = { scheduler: DelayedEventScheduler };

/**
 * XState's clock (setTimeout/clearTimeout) plus the current time: the one source of time for the
 * whole runtime. xstate's `SimulatedClock` satisfies it.
 */
export interface WardenClock {
  now(): number;
  setTimeout(fn: (...args: unknown[]) => void, timeout: number): unknown;
  clearTimeout(id: unknown): void;
}

/**
 * The wall clock. Tests and the simulator pass xstate's `SimulatedClock` instead.
 *
 * @example
 * const manager = new DaemonManager({ clock: systemClock });
 */
export const systemClock: WardenClock = {
  now: () => Date.now(),
  setTimeout: (fn: (...args: unknown[]) => void, ms: number) => setTimeout(fn, ms),
  clearTimeout: (id: unknown) => clearTimeout(id as NodeJS.Timeout),
};

/**
 * Makes `scheduler.cancelAll(actor)` of an XState system visit only that actor's delayed events.
 * XState 5.33 scans every delayed event of the system each time any actor stops, invoked
 * promises included; with all daemons in one system that is O(daemons) per stop and
 * O(daemons²) per startAll (10,000 daemons: 61% of the CPU time, 100,000 would take hours).
 * This keeps an index of the ids each actor scheduled; what is scheduled, cancelled and delivered
 * is unchanged. Call it before the root actor starts.
 */
export function indexDelayedEvents(system: AnyActorSystem): void {
  const { scheduler } = system;
  const schedule = scheduler.schedule;
  const cancel = scheduler.cancel;
  const pending = new WeakMap<AnyActorRef, Set<string>>();
  scheduler.schedule = (source, target, event, delay, id = Math.random().toString(36).slice(2)) => {
    let ids = pending.get(source);
    if (!ids) pending.set(source, (ids = new Set()));
    // Ids of events that fired stay until the actor stops; prune them now and then, so that an
    // actor scheduling fresh random ids for ever does not grow its set for ever.
    if (ids.size >= 64) pruneDelivered(system, source, ids);
    ids.add(id);
    schedule(source, target, event, delay, id);
  };
  scheduler.cancel = (source, id) => {
    pending.get(source)?.delete(id);
    cancel(source, id);
  };
  scheduler.cancelAll = (actorRef) => {
    const ids = pending.get(actorRef);
    if (!ids) return;
    pending.delete(actorRef);
    // cancel() of an event that already fired does nothing, as cancelAll never saw it.
    for (const id of ids) cancel(actorRef, id);
  };
}

function pruneDelivered(system: AnyActorSystem, source: AnyActorRef, ids: Set<string>): void {
  // XState keys a pending event `${sessionId}.${id}` in the system's (internal) snapshot.
  const events = (system as { _snapshot?: { _scheduledEvents?: Record<string, unknown> } })
    ._snapshot?._scheduledEvents;
  if (!events) return;
  for (const id of ids) if (!(`${source.sessionId}.${id}` in events)) ids.delete(id);
}

/**
 * Makes the queue of an XState actor's deferred effects O(1) per effect. XState runs the effects
 * of a transition (each `sendTo`, each spawned child's start) by draining `actor._deferred` with
 * `Array#shift`, which V8 does by copying once the array is large (beyond ≈ 16,000 entries, in
 * large-object space): a transition that sends to n daemons (START of everything, SHUTDOWN) costs
 * O(n²), ≈ 12 s for 100,000. Same effects, same order. Call it before the actor starts.
 */
export function queueDeferredEffects(actor: AnyActorRef): void {
  const target = actor as unknown as { _deferred?: unknown };
  // Leave an XState whose internals have changed alone.
  if (Array.isArray(target._deferred)) target._deferred = new EffectQueue(target._deferred);
}

/** The three array operations XState uses on `_deferred`: push, shift, and `length = 0`. */
class EffectQueue<T> {
  private items: (T | undefined)[];
  private head = 0;

  constructor(initial: readonly T[]) {
    this.items = [...initial];
  }

  get length(): number {
    return this.items.length - this.head;
  }

  set length(length: number) {
    if (length !== 0) throw new Error("EffectQueue can only be emptied");
    this.items = [];
    this.head = 0;
  }

  push(item: T): number {
    this.items.push(item);
    return this.length;
  }

  shift(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
    return item;
  }
}
