/**
 * What the lifecycle machine needs from a daemon implementation. `actors/` implements it for
 * in-process daemons and for OS processes; the machine only ever sees this interface.
 */
export interface DaemonDriver {
  /** Starts a new instance; resolves when it is ready. An aborted signal cancels the start. */
  start(signal: AbortSignal): Promise<void>;
  /** Stops the current instance gracefully; an aborted signal means "give up waiting". */
  stop(signal: AbortSignal): Promise<void>;
  /** Reports what the running instance does, until the returned cleanup is called. */
  watch(report: (event: DriverReport) => void): () => void;
  /** Ends whatever is left of the instance at once (SIGKILL for a process). Idempotent. */
  kill(): void;
}

/** What a running instance can tell its lifecycle actor. */
export type DriverReport =
  | { type: "CRASHED"; error: string; exitCode?: number | null; signal?: string | null }
  | { type: "EXITED"; exitCode: number | null; signal?: string | null }
  | { type: "HEARTBEAT" }
  | { type: "HEALTH_RESULT"; healthy: boolean; detail?: string };
