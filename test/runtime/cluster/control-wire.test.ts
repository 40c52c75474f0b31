import { describe, expect, it } from "vitest";
import { parseAnswer, parseRequest } from "../../../runtime/cluster/control-wire.ts";

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe("remote-control messages", () => {
  const request = {
    v: 1,
    to: "beta",
    action: "restart",
    daemon: "api",
    from: "alpha",
    issuedAt: 1,
    nonce: "0123456789abcdef0123456789abcdef",
    timeoutMs: 1000,
  };

  it("parse a well-formed request", () => {
    expect(parseRequest(bytes(request))).toEqual({ request });
  });

  it("refuse oversized, malformed or unknown requests, saying why", () => {
    const refused = (value: Uint8Array) => (parseRequest(value) as { refused?: string }).refused;
    expect(refused(new Uint8Array(64 * 1024 + 1))).toMatch(/over 65536/);
    expect(refused(new TextEncoder().encode("nope"))).toBe("not JSON");
    expect(refused(bytes({ ...request, action: "kill" }))).toMatch(/action/);
    expect(refused(bytes({ ...request, extra: 1 }))).toMatch(/not a control request/);
    expect(refused(bytes({ ...request, mac: "not-hex" }))).toMatch(/mac/);
    expect(refused(bytes({ ...request, to: "a.>" }))).toMatch(/to/);
  });

  it("turn an answer that is not one into an internal error naming the node", () => {
    expect(parseAnswer("beta", bytes({ ok: "yes" }))).toMatchObject({
      node: "beta",
      ok: false,
      error: { code: "internal" },
    });
    // The node is the one asked, whatever the answer claims.
    const answer = {
      node: "gamma",
      ok: true,
      daemon: { name: "api", state: "RUNNING", restarts: 0 },
    };
    expect(parseAnswer("beta", bytes(answer))).toMatchObject({ node: "beta", ok: true });
  });
});
