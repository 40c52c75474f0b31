import { describe, expect, it } from "vitest";
import {
  ControlAuthority,
  newNonce,
  signRequest,
  type ControlFields,
} from "../../../runtime/cluster/control-auth.ts";

const SECRET = "0123456789abcdef-secret";
const NOW = 1_800_000_000_000;

function fields(overrides: Partial<ControlFields> = {}): ControlFields {
  return {
    v: 1,
    to: "beta",
    action: "restart",
    daemon: "api",
    from: "alpha",
    issuedAt: NOW,
    nonce: newNonce(),
    timeoutMs: 60_000,
    ...overrides,
  };
}

describe("ControlAuthority with a secret", () => {
  const authority = () =>
    new ControlAuthority({ secret: SECRET, natsCredentials: false }, () => NOW);

  it("accepts a request signed with the secret, once", () => {
    const judge = authority();
    const request = signRequest(fields(), SECRET);
    expect(judge.refusal(request)).toBeUndefined();
    expect(judge.refusal(request)).toMatch(/replay/);
  });

  it("refuses a request without a MAC, with another secret's, or altered after signing", () => {
    const judge = authority();
    expect(judge.refusal(fields())).toMatch(/no MAC/);
    expect(judge.refusal(signRequest(fields(), "another-secret-0000"))).toMatch(/does not match/);
    const altered = { ...signRequest(fields(), SECRET), daemon: "db" };
    expect(judge.refusal(altered)).toMatch(/does not match/);
    const retargeted = { ...signRequest(fields(), SECRET), to: "gamma" };
    expect(judge.refusal(retargeted)).toMatch(/does not match/);
    expect(judge.refusal({ ...fields(), mac: "zz" })).toMatch(/does not match/);
  });

  it("refuses a request issued outside the window", () => {
    const judge = authority();
    expect(judge.refusal(signRequest(fields({ issuedAt: NOW - 61_000 }), SECRET))).toMatch(
      /outside the 60 s window/,
    );
    expect(judge.refusal(signRequest(fields({ issuedAt: NOW + 61_000 }), SECRET))).toMatch(
      /outside/,
    );
    expect(judge.refusal(signRequest(fields({ issuedAt: NOW - 59_000 }), SECRET))).toBeUndefined();
  });

  it("remembers a bounded number of nonces", () => {
    const judge = authority();
    for (let i = 0; i < 10_050; i++) {
      expect(judge.refusal(signRequest(fields(), SECRET))).toBeUndefined();
    }
    const seen = (judge as unknown as { seen: Map<string, number> }).seen;
    expect(seen.size).toBeLessThanOrEqual(10_000);
  });
});

describe("ControlAuthority without a secret", () => {
  it("lets NATS credentials authorise, and is off without them", () => {
    const withCreds = new ControlAuthority({ secret: undefined, natsCredentials: true }, () => NOW);
    expect(withCreds.refusal(fields())).toBeUndefined();
    const off = new ControlAuthority({ secret: undefined, natsCredentials: false }, () => NOW);
    expect(off.refusal(signRequest(fields(), SECRET))).toMatch(/remote control is off/);
  });
});
