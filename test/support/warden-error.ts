import { isWardenError, type WardenError } from "../../machines/errors.ts";

/**
 * The WardenError `run` throws; fails the test when it throws nothing or something else.
 *
 * @example
 * expect(wardenErrorOf(() => planStart(config, {}, "w.json")).code).toBe("WARDEN_ERR_CONFIG");
 */
export function wardenErrorOf(run: () => unknown): WardenError {
  try {
    run();
  } catch (error) {
    if (isWardenError(error)) return error;
    throw error;
  }
  throw new Error("expected a WardenError");
}
