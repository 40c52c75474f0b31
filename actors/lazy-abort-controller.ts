/**
 * An AbortController made only when its signal is first asked for. Node's AbortController and
 * AbortSignal cost several microseconds each to create, which is a good part of starting an
 * in-process daemon that never looks at `ctx.signal`.
 *
 * @example
 * const abort = new LazyAbortController();
 * abort.abort(new Error("stopping"));
 * abort.signal.aborted; // true, with that reason
 */
export class LazyAbortController {
  private controller: AbortController | undefined;
  private reason: unknown;
  private done = false;

  get aborted(): boolean {
    return this.done;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.done) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    if (this.done) return;
    this.done = true;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}
