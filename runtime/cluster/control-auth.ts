/**
 * Authorisation of remote control (SPEC §11): a request carries an HMAC-SHA256 of its fields
 * under `cluster.secret`, compared in constant time, issued within `requestWindowMs` of the
 * receiver's clock and never seen before (a bounded memory of nonces). Without a secret, only
 * NATS credentials authorise: whoever the server let in may steer. Without either, remote
 * control is off. Every refusal says why.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { CLUSTER_BOUNDS, CLUSTER_DEFAULTS } from "./cluster-defaults.ts";

/** What a request is about; the MAC covers every field. */
export interface ControlFields {
  v: 1;
  /** The node asked. */
  to: string;
  action: "start" | "stop" | "restart";
  daemon: string;
  /** The node asking. */
  from: string;
  /** When it was made, by the asking node's clock (ms since the epoch). */
  issuedAt: number;
  nonce: string;
  /** How long the asked node waits for the daemon to get there. */
  timeoutMs: number;
}

export interface SignedRequest extends ControlFields {
  /** HMAC-SHA256 of the fields under the cluster secret, hex; absent without a secret. */
  mac?: string;
}

/**
 * A request with its MAC when there is a secret.
 *
 * @example
 * signRequest({ v: 1, to: "b", action: "restart", daemon: "api", from: "a",
 *   issuedAt: Date.now(), nonce: newNonce(), timeoutMs: 60_000 }, secret);
 */
export function signRequest(fields: ControlFields, secret: string | undefined): SignedRequest {
  return secret === undefined ? fields : { ...fields, mac: macOf(fields, secret) };
}

/** 128 random bits, hex. */
export function newNonce(): string {
  return randomBytes(16).toString("hex");
}

/**
 * Decides requests for one node. Keeps the nonces it accepted within the window, at most
 * `CLUSTER_BOUNDS.nonces` (the oldest forgotten first: a replay that old is refused by its time).
 */
export class ControlAuthority {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly policy: { secret: string | undefined; natsCredentials: boolean },
    private readonly now: () => number,
  ) {}

  /**
   * Undefined when `request` may proceed, else why not.
   *
   * @example
   * authority.refusal(request); // "the request carries no MAC: it was not made with the cluster secret"
   */
  refusal(request: SignedRequest): string | undefined {
    const { secret, natsCredentials } = this.policy;
    if (secret === undefined) {
      return natsCredentials
        ? undefined
        : "remote control is off on this node: it has neither cluster.secret nor NATS credentials";
    }
    if (request.mac === undefined) {
      return "the request carries no MAC: it was not made with the cluster secret";
    }
    const expected = Buffer.from(macOf(request, secret), "hex");
    const given = Buffer.from(request.mac, "hex");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return "the request's MAC does not match: it was made with another secret, or altered";
    }
    const skew = request.issuedAt - this.now();
    if (Math.abs(skew) > CLUSTER_DEFAULTS.requestWindowMs) {
      return `the request was issued ${Math.round(-skew / 1000)} s ago by this node's clock, outside the ${CLUSTER_DEFAULTS.requestWindowMs / 1000} s window (clocks apart, or a replay)`;
    }
    if (this.seen.has(request.nonce)) return "the request was already received once (a replay)";
    this.remember(request.nonce);
    return undefined;
  }

  private remember(nonce: string): void {
    const now = this.now();
    for (const [old, at] of this.seen) {
      if (now - at <= CLUSTER_DEFAULTS.requestWindowMs && this.seen.size < CLUSTER_BOUNDS.nonces) {
        break;
      }
      this.seen.delete(old);
    }
    this.seen.set(nonce, now);
  }
}

function macOf(fields: ControlFields, secret: string): string {
  const { v, to, action, daemon, from, issuedAt, nonce, timeoutMs } = fields;
  const canonical = JSON.stringify([v, to, action, daemon, from, issuedAt, nonce, timeoutMs]);
  return createHmac("sha256", secret).update(canonical).digest("hex");
}
