/** The configuration's top-level `dlq` (SPEC §5): accepted as written, refused by name when bad. */
import { describe, expect, it } from "vitest";
import { isWardenError } from "../../../machines/errors.ts";
import { validateConfig } from "../../../runtime/config/validate-config.ts";

function detailsOf(raw: unknown): readonly string[] {
  try {
    validateConfig(raw, "warden.config.json");
  } catch (error) {
    expect(isWardenError(error, "WARDEN_ERR_CONFIG")).toBe(true);
    return (error as { details: readonly string[] }).details;
  }
  throw new Error("expected the configuration to be rejected");
}

describe("dlq in the configuration", () => {
  it("accepts the example of SPEC §5 and any part of it", () => {
    const dlq = { maxAttempts: 5, backoff: { initialMs: 1000, maxMs: 60000, factor: 2 } };
    expect(validateConfig({ dlq, daemons: {} }, "w.json").dlq).toEqual(dlq);
    expect(validateConfig({ dlq: { maxAttempts: 1 }, daemons: {} }, "w.json").dlq).toEqual({
      maxAttempts: 1,
    });
  });

  it("names the offending key, what was expected and the closest known name", () => {
    const details = detailsOf({
      dlq: { maxAttempts: 0, backoff: { initialMs: -1, factor: 0.5, maxMS: 10 } },
      daemons: {},
    }).join("\n");
    expect(details).toContain("dlq.maxAttempts");
    expect(details).toContain("dlq.backoff.initialMs");
    expect(details).toContain("dlq.backoff.factor");
    expect(details).toMatch(/maxMS[\s\S]*maxMs/);
    expect(detailsOf({ dlq: 5, daemons: {} }).join("\n")).toContain("dlq");
  });
});
