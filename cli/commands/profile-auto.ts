import { describeFacts, matchProfileRule } from "../../machines/catalog/profile-rules.ts";
import { WardenError } from "../../machines/errors.ts";
import { nodeFacts } from "../../runtime/catalog/node-facts.ts";
import type { LoadedConfig } from "../../runtime/config/load-config.ts";
import type { Selection } from "../../runtime/config/select-daemons.ts";
import type { CliIO } from "../io.ts";

/** The profile name that asks `profileRules` which profile this machine runs. */
export const AUTO_PROFILE = "auto";

/**
 * The selection with `--profile auto` replaced by the profile of the first `profileRules` rule
 * that matches this machine, saying which and why; any other selection as it is. No rule
 * matching is a configuration error (exit 2) naming the facts seen.
 *
 * @example
 * await resolveProfile(loaded, { profile: "auto" }, io);
 * // warden: --profile auto: training_node (profileRules[0]: a GPU is present, 32 CPUs ≥ 16)
 */
export async function resolveProfile(
  loaded: LoadedConfig,
  selection: Selection,
  io: CliIO,
  facts = nodeFacts(),
): Promise<Selection> {
  if (selection.profile !== AUTO_PROFILE) return selection;
  const rules = loaded.config.profileRules ?? [];
  if (rules.length === 0) {
    throw new WardenError(
      "WARDEN_ERR_CONFIG",
      `${loaded.file}: --profile auto needs "profileRules" in the configuration, e.g. ` +
        `profileRules: [{ profile: "training_node", when: { gpu: true } }]`,
    );
  }
  const match = matchProfileRule(rules, facts);
  if (match === undefined) {
    const envNames = [...new Set(rules.flatMap((rule) => Object.keys(rule.when.env ?? {})))];
    throw new WardenError(
      "WARDEN_ERR_CONFIG",
      `${loaded.file}: --profile auto: no profileRules rule matches this machine (${describeFacts(facts, envNames)})`,
    );
  }
  io.err(
    `warden: --profile auto: ${match.rule.profile} (profileRules[${match.index}]: ${match.reasons.join(", ")})`,
  );
  return { ...selection, profile: match.rule.profile };
}
