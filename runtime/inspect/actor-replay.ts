/**
 * What a Stately viewer that connects late must still see (P9): every live actor's registration
 * and its latest snapshot. @statelyai/inspect's own WebSocket adapter keeps only the last 200
 * events from before its socket opened, so an actor system of more than a handful of daemons
 * loses its first actors; this keeps one registration and one snapshot per live actor instead,
 * bounded in count, and forgets an actor once it has stopped.
 */
import type { StatelyInspectionEvent } from "@statelyai/inspect";

interface Known {
  actor: StatelyInspectionEvent;
  snapshot?: StatelyInspectionEvent;
}

/** Snapshot statuses after which an actor is gone for good. */
const FINAL = new Set(["done", "error", "stopped"]);

export class ActorReplay {
  private readonly actors = new Map<string, Known>();
  /** Actors forgotten because more than `maxActors` were live. */
  dropped = 0;

  constructor(private readonly maxActors = 100_000) {}

  /** Takes note of an event on its way to the viewer. */
  record(event: StatelyInspectionEvent): void {
    if (event.type === "@xstate.actor") {
      this.actors.set(event.sessionId, { actor: event });
      if (this.actors.size > this.maxActors) {
        const oldest = this.actors.keys().next().value;
        if (oldest !== undefined) this.actors.delete(oldest);
        this.dropped++;
      }
      return;
    }
    if (event.type !== "@xstate.snapshot") return;
    const known = this.actors.get(event.sessionId);
    if (!known) return;
    const status = (event.snapshot as { status?: string } | undefined)?.status;
    if (status !== undefined && FINAL.has(status)) this.actors.delete(event.sessionId);
    else known.snapshot = event;
  }

  /** What a viewer that just connected needs: each live actor, then its latest snapshot. */
  events(): StatelyInspectionEvent[] {
    const events: StatelyInspectionEvent[] = [];
    for (const { actor, snapshot } of this.actors.values()) {
      events.push(actor);
      if (snapshot) events.push(snapshot);
    }
    return events;
  }

  get size(): number {
    return this.actors.size;
  }
}
