import { messageOf } from "../../machines/errors.ts";
import type { Envelope } from "../../machines/envelope.ts";

/**
 * An envelope as JSON text. In-process daemons may publish data that JSON cannot carry (a
 * cycle, a BigInt): such an event still goes out, with a string saying why its data is missing,
 * instead of failing the whole answer.
 *
 * @example
 * envelopeJson({ id: "a-1", type: "TICK", source: "clock", time: 0, data: { n: 1n } });
 * // '{"id":"a-1","type":"TICK","source":"clock","time":0,"data":"[unserialisable data: …]"}'
 */
export function envelopeJson(envelope: Envelope): string {
  try {
    return JSON.stringify(envelope);
  } catch (error) {
    return JSON.stringify({ ...envelope, data: `[unserialisable data: ${messageOf(error)}]` });
  }
}
