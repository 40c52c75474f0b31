/**
 * Everything the CLI touches of the outside world, injected so that commands are testable
 * without a real process: output, colour, the working folder, shutdown signals, and exit.
 */
export interface CliIO {
  /** A line for standard output (results, JSON). */
  out(line: string): void;
  /** A line for standard error (progress, warnings, errors). */
  err(line: string): void;
  /** Raw writes to standard error, for the daemon log stream. */
  errStream: { write(chunk: string): boolean | void };
  /** Colour is allowed (a TTY, and NO_COLOR unset). */
  color: boolean;
  /** Standard error is a terminal: progress may be redrawn in place. */
  interactive?: boolean;
  /** The terminal's width, when there is one. */
  columns?(): number | undefined;
  cwd: string;
  /**
   * Calls `handler` once for the first SIGINT, SIGTERM, SIGQUIT or SIGABRT, with the signal's
   * name; a second one exits at once.
   */
  onShutdownSignal(handler: (signal: string) => void): void;
  /**
   * Calls `handler` on every SIGHUP (a closed terminal or SSH session, or `kill -HUP`) instead of
   * dying of it; output written after a hangup is dropped. Only a long-running command asks.
   */
  onHangup?(handler: () => void): void;
  exit(code: number): void;
}
