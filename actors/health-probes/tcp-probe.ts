/**
 * The `tcp` health probe of a process daemon (SPEC §4): healthy when a TCP connection to the
 * port is accepted. The connection is closed at once; nothing is written or read.
 */
import { connect } from "node:net";
import { errorCode } from "../process-groups.ts";
import type { HealthResult } from "../health-check-loop.ts";
import { messageOf } from "../../machines/errors.ts";

/** Where the `tcp` probe connects: the daemon's own machine, as for `ready: { tcp }`. */
export const TCP_PROBE_HOST = "127.0.0.1";

/**
 * One connect to `host:port`; `signal` gives up on it (the probe's timeout).
 *
 * @example
 * await probeTcp(5432, AbortSignal.timeout(1000)); // { healthy: true } when something listens
 */
export function probeTcp(
  port: number,
  signal: AbortSignal,
  host = TCP_PROBE_HOST,
): Promise<HealthResult> {
  const where = `${host}:${port}`;
  if (signal.aborted) return Promise.resolve(unanswered(where));
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let settled = false;
    const done = (result: HealthResult) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      socket.destroy();
      resolve(result);
    };
    const onAbort = () => done(unanswered(where));
    socket.once("connect", () => done({ healthy: true }));
    socket.once("error", (error) => {
      const reason = errorCode(error) ?? messageOf(error);
      done({ healthy: false, detail: `cannot connect to ${where}: ${reason}` });
    });
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function unanswered(where: string): HealthResult {
  return { healthy: false, detail: `no connection to ${where} in time` };
}
