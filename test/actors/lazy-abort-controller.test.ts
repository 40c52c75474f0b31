import { describe, expect, it } from "vitest";
import { LazyAbortController } from "../../actors/lazy-abort-controller.ts";

describe("LazyAbortController", () => {
  it("gives an aborted signal, with the reason, when aborted before the signal was asked for", () => {
    const abort = new LazyAbortController();
    const reason = new Error("stopping");
    abort.abort(reason);
    expect(abort.aborted).toBe(true);
    expect(abort.signal.aborted).toBe(true);
    expect(abort.signal.reason).toBe(reason);
  });

  it("aborts a signal handed out earlier, once", () => {
    const abort = new LazyAbortController();
    const signal = abort.signal;
    let events = 0;
    signal.addEventListener("abort", () => events++);
    expect(signal.aborted).toBe(false);
    abort.abort("first");
    abort.abort("second");
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe("first");
    expect(events).toBe(1);
    expect(abort.signal).toBe(signal);
  });
});
