import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULTS } from "../../../machines/defaults.ts";
import {
  LOAD_TIMEOUT_ENV,
  loadTimeoutMs,
  withinLoadTimeout,
} from "../../../runtime/config/load-timeout.ts";
import { WardenError } from "../../../machines/errors.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("loadTimeoutMs", () => {
  it("is 30 s unless WARDEN_LOAD_TIMEOUT_MS says otherwise", () => {
    expect(LOAD_TIMEOUT_ENV).toBe("WARDEN_LOAD_TIMEOUT_MS");
    expect(DEFAULTS.loadTimeoutMs).toBe(30_000);
    expect(loadTimeoutMs({})).toBe(30_000);
    expect(loadTimeoutMs({ WARDEN_LOAD_TIMEOUT_MS: "" })).toBe(30_000);
    expect(loadTimeoutMs({ WARDEN_LOAD_TIMEOUT_MS: " 250 " })).toBe(250);
  });

  it.each(["abc", "0", "-5", "1.5", "1e3", String(2 ** 31)])(
    "rejects %j naming the variable and what it expects",
    (value) => {
      let error: unknown;
      try {
        loadTimeoutMs({ WARDEN_LOAD_TIMEOUT_MS: value });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(WardenError);
      expect((error as WardenError).code).toBe("WARDEN_ERR_USAGE");
      expect((error as WardenError).message).toBe(
        `WARDEN_LOAD_TIMEOUT_MS: expected a whole number of milliseconds from 1 to 2147483647, got ${JSON.stringify(value)}`,
      );
    },
  );
});

describe("withinLoadTimeout", () => {
  it("gives the work's value or error when it settles in time", async () => {
    const late = () => new Error("late");
    await expect(withinLoadTimeout(async () => 42, late, 1000)).resolves.toBe(42);
    await expect(
      withinLoadTimeout(() => Promise.reject(new Error("boom")), late, 1000),
    ).rejects.toThrow("boom");
    // A synchronous throw is the work's failure too, not an escape.
    await expect(
      withinLoadTimeout(
        () => {
          throw new Error("sync");
        },
        late,
        1000,
      ),
    ).rejects.toThrow("sync");
  });

  it("fails with the caller's error, told the limit, when the work never settles", async () => {
    vi.useFakeTimers();
    const result = withinLoadTimeout(
      () => new Promise<never>(() => {}),
      (ms) => new Error(`nothing within ${ms} ms`),
      500,
    );
    const assertion = expect(result).rejects.toThrow("nothing within 500 ms");
    await vi.advanceTimersByTimeAsync(500);
    await assertion;
  });

  it("holds one timer while it waits and clears it once the work settles", async () => {
    vi.useFakeTimers();
    let resolve!: (value: string) => void;
    const result = withinLoadTimeout(
      () => new Promise<string>((r) => (resolve = r)),
      () => new Error("late"),
      500,
    );
    expect(vi.getTimerCount()).toBe(1);
    resolve("done");
    await expect(result).resolves.toBe("done");
    expect(vi.getTimerCount()).toBe(0);
  });
});
