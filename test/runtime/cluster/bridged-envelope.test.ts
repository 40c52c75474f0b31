import { describe, expect, it } from "vitest";
import { parseBridged } from "../../../runtime/cluster/bridged-envelope.ts";

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe("bridged envelopes", () => {
  const envelope = {
    id: "k2x9-1",
    type: "MODEL_PROMOTED",
    source: "api",
    time: 1,
    data: { n: 1 },
    node: "alpha",
  };

  it("parse as they were sent", () => {
    expect(parseBridged(bytes(envelope))).toEqual({ envelope });
  });

  it("refuse what is oversized, not JSON, or not an envelope from a named node", () => {
    const refused = (value: Uint8Array) => (parseBridged(value) as { refused?: string }).refused;
    expect(refused(new Uint8Array(64 * 1024 + 1))).toMatch(/over 65536/);
    expect(refused(new TextEncoder().encode("{"))).toBe("not JSON");
    expect(refused(bytes({ ...envelope, node: undefined }))).toMatch(/node/);
    expect(refused(bytes({ ...envelope, node: "a.b" }))).toMatch(/node/);
    expect(refused(bytes({ ...envelope, id: "" }))).toMatch(/id/);
    expect(refused(bytes({ ...envelope, type: "x".repeat(1001) }))).toMatch(/type/);
    expect(refused(bytes({ ...envelope, time: "now" }))).toMatch(/time/);
  });
});
