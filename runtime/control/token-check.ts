/**
 * Checking a bearer token presented to the control API against the manager's own
 * (runtime/control/api-token.ts keeps the token file). Apart from it so that the CLI, which only
 * reads the token, does not load Node's crypto module.
 */
import { createHash, timingSafeEqual } from "node:crypto";

/**
 * True when `given` is the token. Compares SHA-256 digests in constant time, so neither the
 * content nor the length of the token leaks through timing.
 *
 * @example
 * tokenMatches(token, bearerOf(request.headers.authorization)); // false for undefined
 */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  return timingSafeEqual(digest(expected), digest(given));
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
