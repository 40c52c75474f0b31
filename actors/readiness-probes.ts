/**
 * The network readiness checks of a process daemon (SPEC §4): a TCP port that accepts a
 * connection, an HTTP URL that answers 2xx. Both poll until they succeed or `signal` aborts;
 * the lifecycle's `startTimeoutMs` is what bounds them.
 */
import { connect } from "node:net";
import { setTimeout as delay } from "node:timers/promises";

const TCP_POLL_MS = 25;
const HTTP_POLL_MS = 50;
const ATTEMPT_TIMEOUT_MS = 1_000;

/** Resolves once `port` on `host` accepts a connection. */
export async function waitForTcp(port: number, signal: AbortSignal, host = "127.0.0.1") {
  while (!(await tcpAccepts(host, port))) await pause(TCP_POLL_MS, signal);
}

/** Resolves once `url` answers with a 2xx status. */
export async function waitForHttp(url: string, signal: AbortSignal): Promise<void> {
  while (!(await httpAnswers(url, signal))) await pause(HTTP_POLL_MS, signal);
}

function tcpAccepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: ATTEMPT_TIMEOUT_MS });
    const done = (accepted: boolean) => {
      socket.destroy();
      resolve(accepted);
    };
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.once("timeout", () => done(false));
  });
}

async function httpAnswers(url: string, signal: AbortSignal): Promise<boolean> {
  try {
    const response = await fetch(url, {
      signal: AbortSignal.any([signal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]),
      redirect: "manual",
    });
    await response.body?.cancel();
    return response.status >= 200 && response.status < 300;
  } catch {
    if (signal.aborted) throw signal.reason;
    return false;
  }
}

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  await delay(ms, undefined, { signal });
}
