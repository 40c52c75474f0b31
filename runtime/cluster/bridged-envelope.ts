/**
 * An envelope that came from another node over JetStream: hostile until it parses here, within
 * bounds (size, field lengths), with the node it claims to come from.
 */
import { z } from "zod";
import type { Envelope } from "../../machines/envelope.ts";
import { BRIDGED_BYTES } from "./bridge-stream.ts";
import { NODE_NAME_PATTERN } from "./cluster-defaults.ts";

const TEXT = 1000;

const envelopeSchema = z.object({
  id: z.string().min(1).max(TEXT),
  type: z.string().min(1).max(TEXT),
  source: z.string().max(TEXT),
  time: z.number().finite(),
  data: z.unknown(),
  node: z.string().regex(NODE_NAME_PATTERN),
});

/**
 * The envelope in `bytes`, or why it is refused.
 *
 * @example
 * const parsed = parseBridged(msg.data);
 * if ("envelope" in parsed) deliver(parsed.envelope);
 */
export function parseBridged(bytes: Uint8Array): { envelope: Envelope } | { refused: string } {
  if (bytes.length > BRIDGED_BYTES)
    return { refused: `${bytes.length} bytes, over ${BRIDGED_BYTES}` };
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return { refused: "not JSON" };
  }
  const parsed = envelopeSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { refused: `not an envelope (${issue?.path.join(".") ?? ""}: ${issue?.message})` };
  }
  return { envelope: parsed.data as Envelope };
}
