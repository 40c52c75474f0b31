import { pino, type DestinationStream, type Logger } from "pino";
import type { DaemonLogger } from "../actors/daemon-types.ts";

export type { Logger } from "pino";

/**
 * The manager's structured logger: JSON lines (pino) to `destination`, stderr by default.
 *
 * @example
 * const logger = createLogger({ level: "debug" });
 */
export function createLogger(
  options: { level?: string; destination?: DestinationStream } = {},
): Logger {
  return pino(
    { level: options.level ?? "info", base: undefined },
    options.destination ?? pino.destination(2),
  );
}

/** A silent logger, for tests and benchmarks. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

/** The logger a daemon gets in its context: every line carries the daemon's name. */
export function daemonLogger(logger: Logger, daemon: string): DaemonLogger {
  const child = logger.child({ daemon });
  return {
    debug: (message, fields) => child.debug(fields ?? {}, message),
    info: (message, fields) => child.info(fields ?? {}, message),
    warn: (message, fields) => child.warn(fields ?? {}, message),
    error: (message, fields) => child.error(fields ?? {}, message),
  };
}
