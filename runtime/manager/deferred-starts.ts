/**
 * Starts asked for while a daemon is STOPPING: the stop in progress finishes first, then the
 * daemon is started again (sent START once it is STOPPED or FAILED), unless it is stopped
 * meanwhile. The manager tells it each transition after the waiting commands have seen it, so a
 * command that waits for the daemon to run sees the STOPPED in between as part of the start.
 */
import type { DaemonTransition } from "../../machines/supervisor-protocol.ts";

export class DeferredStarts {
  private readonly pending = new Set<string>();

  constructor(private readonly start: (name: string) => void) {}

  has(name: string): boolean {
    return this.pending.has(name);
  }

  add(name: string): void {
    this.pending.add(name);
  }

  cancel(name: string): void {
    this.pending.delete(name);
  }

  cancelAll(): void {
    this.pending.clear();
  }

  onTransition(transition: DaemonTransition): void {
    if (transition.state !== "STOPPED" && transition.state !== "FAILED") return;
    if (!this.pending.delete(transition.name)) return;
    this.start(transition.name);
  }
}
