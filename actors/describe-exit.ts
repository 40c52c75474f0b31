/** How a process ended, as its driver tells it. */
export interface ExitStatus {
  exitCode: number | null;
  signal: string | null;
}

/**
 * "exited with code 3", "killed by SIGKILL"; "could not be started" when there was no process.
 *
 * @example
 * describeExit({ exitCode: null, signal: "SIGTERM" }); // "killed by SIGTERM"
 */
export function describeExit(exit: ExitStatus): string {
  if (exit.signal) return `killed by ${exit.signal}`;
  if (exit.exitCode === null) return "could not be started";
  return `exited with code ${exit.exitCode}`;
}
