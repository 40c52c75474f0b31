/**
 * The rule that chose a node's profile, as its record carries it (SPEC §6 and §11, point 6 of
 * issue P12): `warden status --cluster` shows, for a node started with `--profile auto`, which
 * `profileRules` entry matched and why, so that a cluster of roles can be read at a glance.
 */
import {
  matchProfileRule,
  type NodeFacts,
  type ProfileRule,
} from "../../machines/catalog/profile-rules.ts";
import { CLUSTER_BOUNDS } from "./cluster-defaults.ts";

/**
 * `profileRules[<index>]: <reasons>` for the first rule matching `facts` (the same choice
 * `--profile auto` made: the facts of the same process), cut to the record's string bound;
 * undefined when no rule matches.
 *
 * @example
 * profileRuleOfNode([{ profile: "selfplay", when: { env: { ROLE: "selfplay" } } }], facts);
 * // 'profileRules[0]: ROLE="selfplay" matches "selfplay"'
 */
export function profileRuleOfNode(
  rules: readonly ProfileRule[],
  facts: NodeFacts,
): string | undefined {
  const match = matchProfileRule(rules, facts);
  if (match === undefined) return undefined;
  const text = `profileRules[${match.index}]: ${match.reasons.join(", ")}`;
  return text.length > CLUSTER_BOUNDS.text ? `${text.slice(0, CLUSTER_BOUNDS.text - 1)}…` : text;
}
