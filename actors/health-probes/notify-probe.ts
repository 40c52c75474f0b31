/**
 * The `notify` health probe of a process daemon (SPEC §4, docs/notify-protocol.md): the manager
 * writes `HEALTH?` on the daemon's notify connections and the first `HEALTH=ok` or
 * `HEALTH=fail <detail>` that comes back is the answer. One question at a time: an answer with
 * no question pending (a late one, after its probe timed out) is ignored. A daemon with no
 * connection open, or that closes the last one before answering, has failed the probe.
 */
import type { HealthResult } from "../health-check-loop.ts";
import { HEALTH_QUESTION, type HealthAnswer } from "../notify-health-answer.ts";

/** The part of the notify socket (actors/notify-socket.ts) a question needs. */
export interface QuestionChannel {
  /** Connections open now. */
  readonly connectionCount: number;
  /** Writes the line to every open connection; how many took it. */
  broadcast(line: string): number;
}

/** Nobody to ask. */
export const NO_CONNECTION =
  "no notify connection: the daemon never connected to WARDEN_NOTIFY_SOCKET, or closed it";
/** The connections closed while the question was open. */
export const CLOSED_BEFORE_ANSWER =
  "the daemon closed its notify connection before answering HEALTH?";
/** Every connection has too much unread: the question could not be written. */
export const NOT_READING = "the daemon does not read its notify connection: HEALTH? not sent";
/** The signal aborted first (the probe's timeout). */
export const NO_ANSWER = "no answer to HEALTH? in time";

/**
 * @example
 * const question = new NotifyHealthQuestion(socket);
 * // on a HEALTH= message: question.answer(message); on a closed connection: question.connectionClosed()
 * const result = await question.ask(AbortSignal.timeout(5000));
 */
export class NotifyHealthQuestion {
  private pending: ((result: HealthResult) => void) | undefined;

  constructor(private readonly channel: QuestionChannel) {}

  /** Asks `HEALTH?`; resolves with the answer, or unhealthy when none can come or `signal` aborts. */
  ask(signal: AbortSignal): Promise<HealthResult> {
    // Probes of a daemon never overlap (actors/process-health.ts); a stale question yields.
    this.pending?.({ healthy: false, detail: NO_ANSWER });
    if (signal.aborted) return Promise.resolve({ healthy: false, detail: NO_ANSWER });
    if (this.channel.connectionCount === 0) {
      return Promise.resolve({ healthy: false, detail: NO_CONNECTION });
    }
    return new Promise((resolve) => {
      const settle = (result: HealthResult) => {
        if (this.pending !== settle) return;
        this.pending = undefined;
        signal.removeEventListener("abort", onAbort);
        resolve(result);
      };
      const onAbort = () => settle({ healthy: false, detail: NO_ANSWER });
      this.pending = settle;
      signal.addEventListener("abort", onAbort, { once: true });
      if (this.channel.broadcast(HEALTH_QUESTION) === 0)
        settle({ healthy: false, detail: NOT_READING });
    });
  }

  /** A `HEALTH=` line came: the answer to the open question; ignored when there is none. */
  answer(answer: HealthAnswer): void {
    const result: HealthResult = answer.healthy
      ? { healthy: true }
      : { healthy: false, detail: answer.detail };
    this.pending?.(result);
  }

  /** A connection closed: once none is left, the open question cannot be answered. */
  connectionClosed(): void {
    if (this.channel.connectionCount === 0) {
      this.pending?.({ healthy: false, detail: CLOSED_BEFORE_ANSWER });
    }
  }
}
