import { describe, expect, it } from "vitest";
import type { NodeFacts } from "../../../machines/catalog/profile-rules.ts";
import { CLUSTER_BOUNDS } from "../../../runtime/cluster/cluster-defaults.ts";
import { profileRuleOfNode } from "../../../runtime/cluster/profile-rule.ts";

const facts: NodeFacts = { hostname: "gpu-3", env: { ROLE: "selfplay" }, gpu: false, cpus: 8 };

describe("the profile rule in a node record", () => {
  it("names the first matching rule by its index, with the reasons", () => {
    const rules = [
      { profile: "training_node", when: { gpu: true } },
      { profile: "selfplay", when: { env: { ROLE: "self*" } } },
      { profile: "other", when: {} },
    ];
    expect(profileRuleOfNode(rules, facts)).toBe(
      'profileRules[1]: ROLE="selfplay" matches "self*"',
    );
    expect(profileRuleOfNode([{ profile: "any", when: {} }], facts)).toBe(
      "profileRules[0]: no conditions",
    );
  });

  it("is undefined when no rule matches, and cut to the record's bound", () => {
    expect(profileRuleOfNode([{ profile: "gpu", when: { gpu: true } }], facts)).toBeUndefined();
    const long = "x".repeat(400);
    const rule = profileRuleOfNode([{ profile: "p", when: { env: { ROLE: "*" } } }], {
      ...facts,
      env: { ROLE: long },
    });
    expect(rule).toHaveLength(CLUSTER_BOUNDS.text);
    expect(rule?.endsWith("…")).toBe(true);
  });
});
