/**
 * The asking side of remote control (SPEC §11): signs a request with the cluster secret and
 * sends it to one node over NATS request/reply, waiting as long as the node may wait for the
 * daemon plus a margin. No answer is an answer too: `node_unreachable` or `timeout`, saying why.
 */
import { errors, type NatsConnection } from "@nats-io/transport-node";
import { messageOf } from "../../machines/errors.ts";
import { CLUSTER_DEFAULTS } from "./cluster-defaults.ts";
import { newNonce, signRequest, type ControlFields } from "./control-auth.ts";
import { controlSubject, encodeMessage, parseAnswer, type RemoteAnswer } from "./control-wire.ts";

export interface RemoteRequest {
  node: string;
  action: ControlFields["action"];
  daemon: string;
  timeoutMs: number;
}

/**
 * Asks `request.node` to act and resolves with its answer; never rejects.
 *
 * @example
 * await requestRemote(nc, { from: "a", secret }, { node: "b", action: "restart", daemon: "api", timeoutMs: 60_000 });
 * // { node: "b", ok: true, daemon: { name: "api", state: "RUNNING", restarts: 0, pid: 4242 } }
 */
export async function requestRemote(
  nc: NatsConnection | undefined,
  self: { from: string; secret: string | undefined; now: () => number },
  request: RemoteRequest,
): Promise<RemoteAnswer> {
  const { node } = request;
  const unreachable = (message: string): RemoteAnswer => ({
    node,
    ok: false,
    error: { code: "node_unreachable", message },
  });
  if (nc === undefined) {
    return unreachable(`cannot reach node "${node}": this manager is not connected to NATS`);
  }
  const signed = signRequest(
    {
      v: 1,
      to: node,
      action: request.action,
      daemon: request.daemon,
      from: self.from,
      issuedAt: self.now(),
      nonce: newNonce(),
      timeoutMs: request.timeoutMs,
    },
    self.secret,
  );
  const waitMs = request.timeoutMs + CLUSTER_DEFAULTS.answerMarginMs;
  try {
    const msg = await nc.request(controlSubject(node), encodeMessage(signed), { timeout: waitMs });
    return parseAnswer(node, msg.data);
  } catch (error) {
    const noResponders =
      error instanceof errors.NoRespondersError ||
      (error instanceof errors.RequestError && error.isNoResponders());
    if (noResponders) {
      return unreachable(`node "${node}" does not answer: no manager of that name is connected`);
    }
    if (
      error instanceof errors.TimeoutError ||
      (error as Error).cause instanceof errors.TimeoutError
    ) {
      return {
        node,
        ok: false,
        error: { code: "timeout", message: `node "${node}" did not answer within ${waitMs} ms` },
      };
    }
    return unreachable(`cannot reach node "${node}": ${messageOf(error)}`);
  }
}
