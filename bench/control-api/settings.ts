/** The settings of benchmark (e) that more than one of its parts uses. */
import { fileURLToPath } from "node:url";
import type { PollOptions } from "../wait.ts";

export const WARDEN_BIN = fileURLToPath(new URL("../../bin/warden.js", import.meta.url));

/** The daemon restarted in (e): a leaf of the index graph (nothing depends on it). */
export const RESTARTED_DAEMON = "S3_BACKUP";
export const CONNECTIONS = 10;
export const PIPELINING = 1;
/** The longest one CLI run, request or step may take before the benchmark gives up. */
export const STEP_TIMEOUT_MS = 30_000;
/** A pause between two measurements, so that one's aftermath does not slow the next. */
export const SETTLE_MS = 200;
const POLL_MS = 50;

/** How benchmark (e) polls, giving up after `timeoutMs`. */
export function polling(timeoutMs: number): PollOptions {
  return { label: "control-api", timeoutMs, everyMs: POLL_MS };
}
