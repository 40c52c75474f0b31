import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  describeFacts,
  globToRegExp,
  matchProfileRule,
  type NodeFacts,
  type ProfileRule,
} from "../../../machines/catalog/profile-rules.ts";

const gpuBox: NodeFacts = { hostname: "gpu-3.lab", env: { ROLE: "trainer" }, gpu: true, cpus: 32 };
const cpuBox: NodeFacts = {
  hostname: "vast-17",
  env: { VAST_CONTAINERLABEL: "C.123" },
  gpu: false,
  cpus: 4,
};

const rules: ProfileRule[] = [
  { profile: "coordinator", when: { hostname: "coord-*" } },
  { profile: "training_node", when: { gpu: true, minCpus: 16 } },
  { profile: "ephemeral", when: { env: { VAST_CONTAINERLABEL: "*" } } },
  { profile: "selfplay", when: {} },
];

describe("matchProfileRule", () => {
  it("takes the first rule whose every condition holds, with one reason per condition", () => {
    expect(matchProfileRule(rules, gpuBox)).toEqual({
      index: 1,
      rule: rules[1],
      reasons: ["a GPU is present", "32 CPUs ≥ 16"],
    });
    expect(matchProfileRule(rules, cpuBox)).toEqual({
      index: 2,
      rule: rules[2],
      reasons: ['VAST_CONTAINERLABEL="C.123" matches "*"'],
    });
    expect(matchProfileRule(rules, { ...cpuBox, hostname: "coord-1", env: {} })?.rule.profile).toBe(
      "coordinator",
    );
  });

  it("falls through to a rule without conditions, and to nothing when there is none", () => {
    const facts = { ...cpuBox, env: {} };
    expect(matchProfileRule(rules, facts)).toMatchObject({ index: 3, reasons: ["no conditions"] });
    expect(matchProfileRule(rules.slice(0, 3), facts)).toBeUndefined();
  });

  it("needs every condition: a GPU box with too few CPUs, an unset variable", () => {
    expect(matchProfileRule([rules[1]!], { ...gpuBox, cpus: 8 })).toBeUndefined();
    expect(
      matchProfileRule([{ profile: "x", when: { env: { ROLE: "*" } } }], cpuBox),
    ).toBeUndefined();
    expect(matchProfileRule([{ profile: "x", when: { gpu: false } }], gpuBox)).toBeUndefined();
  });

  it("describes the facts it saw, with the variables the rules name", () => {
    expect(describeFacts(cpuBox, ["VAST_CONTAINERLABEL", "ROLE"])).toBe(
      'hostname "vast-17", no GPU, 4 CPUs, VAST_CONTAINERLABEL="C.123", ROLE unset',
    );
  });
});

describe("globToRegExp", () => {
  it("matches * and ? and nothing else specially", () => {
    expect(globToRegExp("gpu-*").test("gpu-3.lab")).toBe(true);
    expect(globToRegExp("gpu-?").test("gpu-12")).toBe(false);
    expect(globToRegExp("a.b").test("axb")).toBe(false);
    expect(globToRegExp("(x)[y]+").test("(x)[y]+")).toBe(true);
  });

  it("matches every string by itself, and * matches every string", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const literal = text.replace(/[*?]/g, "");
        expect(globToRegExp(literal).test(literal)).toBe(true);
        expect(globToRegExp("*").test(text)).toBe(true);
      }),
    );
  });
});
