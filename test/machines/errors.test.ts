import { describe, expect, it, vi } from "vitest";
import { ERROR_CODES, WardenError, isWardenError } from "../../machines/errors.ts";

describe("isWardenError", () => {
  it("knows a WardenError by its code, and nothing else", () => {
    const error = new WardenError("WARDEN_ERR_USAGE", "bad flag");
    expect(isWardenError(error)).toBe(true);
    expect(isWardenError(error, "WARDEN_ERR_USAGE")).toBe(true);
    expect(isWardenError(error, "WARDEN_ERR_CONFIG")).toBe(false);
    expect(error.exitCode).toBe(ERROR_CODES.WARDEN_ERR_USAGE);
    expect(isWardenError(new Error("plain"))).toBe(false);
    expect(isWardenError({ code: "WARDEN_ERR_USAGE" })).toBe(false);
    expect(isWardenError(undefined)).toBe(false);
  });

  it("knows one made by another copy of the module (the bundled CLI and dist/ each have one)", async () => {
    // A second instance of the module, as the bundle and the compiled package are to each other.
    vi.resetModules();
    const other = await import("../../machines/errors.ts");
    expect(other.WardenError).not.toBe(WardenError);
    const foreign = new other.WardenError("WARDEN_ERR_CONFIG", "bad config");
    expect(foreign instanceof WardenError).toBe(false);
    expect(isWardenError(foreign, "WARDEN_ERR_CONFIG")).toBe(true);
    expect(isWardenError(foreign, "WARDEN_ERR_USAGE")).toBe(false);
  });
});
