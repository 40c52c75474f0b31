/**
 * The messages of remote control over NATS request/reply (SPEC §11): a signed request
 * (control-auth.ts) on `warden.control.<node>`, one JSON answer. Both directions are bounded
 * and validated: whatever arrives from NATS is hostile until it parses here.
 */
import { z } from "zod";
import { CLUSTER_BOUNDS, CLUSTER_DEFAULTS, NODE_NAME_PATTERN } from "./cluster-defaults.ts";
import type { SignedRequest } from "./control-auth.ts";
import type { RemoteDaemon } from "./node-record.ts";

/** Why a remote action did not happen, as the control API's error codes say it. */
export type RemoteErrorCode =
  | "unauthorized"
  | "bad_request"
  | "unknown_daemon"
  | "daemon_failed"
  | "daemon_stopped"
  | "timeout"
  | "node_unreachable"
  | "internal";

/** What a node answers, and what the asking side makes of no answer. */
export type RemoteAnswer =
  | { node: string; ok: true; daemon: RemoteDaemon }
  | { node: string; ok: false; error: { code: RemoteErrorCode; message: string } };

/**
 * The subject a node listens on for remote control.
 *
 * @example
 * controlSubject("gpu-3"); // "warden.control.gpu-3"
 */
export function controlSubject(node: string): string {
  return `${CLUSTER_DEFAULTS.controlSubject}.${node}`;
}

const text = () => z.string().max(CLUSTER_BOUNDS.text);
const millis = () => z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const requestSchema = z.strictObject({
  v: z.literal(1),
  to: z.string().regex(NODE_NAME_PATTERN),
  action: z.enum(["start", "stop", "restart"]),
  daemon: z.string().min(1).max(1000),
  from: text(),
  issuedAt: millis(),
  nonce: z.string().regex(/^[0-9a-f]{16,64}$/),
  timeoutMs: millis(),
  mac: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});

const daemonSchema = z.object({
  name: text(),
  state: text(),
  restarts: millis(),
  pid: millis().optional(),
  healthy: z.boolean().optional(),
  lastError: text().optional(),
});

const answerSchema = z.union([
  z.object({ node: text(), ok: z.literal(true), daemon: daemonSchema }),
  z.object({
    node: text(),
    ok: z.literal(false),
    error: z.object({
      code: z.enum([
        "unauthorized",
        "bad_request",
        "unknown_daemon",
        "daemon_failed",
        "daemon_stopped",
        "timeout",
        "node_unreachable",
        "internal",
      ]),
      message: z.string().max(CLUSTER_BOUNDS.text * 10),
    }),
  }),
]);

/**
 * A request as received, or why it is not one.
 *
 * @example
 * const parsed = parseRequest(msg.data);
 * if ("refused" in parsed) msg.respond(encodeAnswer(refusedAnswer(node, "bad_request", parsed.refused)));
 */
export function parseRequest(bytes: Uint8Array): { request: SignedRequest } | { refused: string } {
  const value = parseBounded(bytes);
  if ("refused" in value) return value;
  const parsed = requestSchema.safeParse(value.json);
  if (parsed.success) return { request: parsed.data };
  const issue = parsed.error.issues[0];
  return { refused: `not a control request (${issue?.path.join(".") ?? ""}: ${issue?.message})` };
}

/** An answer as received from node `node`, or an `internal` one saying what was wrong. */
export function parseAnswer(node: string, bytes: Uint8Array): RemoteAnswer {
  const value = parseBounded(bytes);
  const parsed = "refused" in value ? undefined : answerSchema.safeParse(value.json);
  if (parsed?.success === true) return { ...parsed.data, node } as RemoteAnswer;
  const why = "refused" in value ? value.refused : "not a control answer";
  return {
    node,
    ok: false,
    error: { code: "internal", message: `node "${node}" answered ${why}` },
  };
}

export function encodeMessage(value: RemoteAnswer | SignedRequest): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

function parseBounded(bytes: Uint8Array): { json: unknown } | { refused: string } {
  if (bytes.length > CLUSTER_BOUNDS.controlBytes) {
    return { refused: `${bytes.length} bytes, over ${CLUSTER_BOUNDS.controlBytes}` };
  }
  try {
    return { json: JSON.parse(new TextDecoder().decode(bytes)) };
  } catch {
    return { refused: "not JSON" };
  }
}
