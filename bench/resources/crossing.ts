/** What benchmark (i)'s memory sides share: the grower program, its crossing line, a sample. */
import { fileURLToPath } from "node:url";

/** The process daemon that goes over its limit (bench/resources/grower.mjs). */
export const GROWER = fileURLToPath(new URL("./grower.mjs", import.meta.url));

/** The daemon's `limits.memoryMb`. */
export const LIMIT_MB = 160;

export interface ReactionSample {
  /** From the crossing stamp to the reaction (the restart begun, or the bare child's exit), ms. */
  ms: number;
  /** The pause the grower took before crossing, ms. */
  pauseMs: number;
  /** What the reaction said: DAEMON_RESTARTING's `error`, or how the bare child ended. */
  error: string;
}

/**
 * The wall time of a `crossing <ms>` line, or undefined for any other line.
 *
 * @example
 * parseCrossing("crossing 1795000000123"); // 1795000000123
 */
export function parseCrossing(line: string): number | undefined {
  const match = /^crossing (\d+)$/.exec(line.trim());
  return match ? Number(match[1]) : undefined;
}

/** Told when the run is interrupted: the grower (in a process group of its own) would outlive it. */
export const announce = (signal: NodeJS.Signals) =>
  process.stderr.write(`(i) ${signal}: stopping the grower first\n`);
