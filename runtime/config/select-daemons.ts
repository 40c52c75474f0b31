import type { WardenConfig } from "./types.ts";
import { profileMembers } from "../../machines/catalog/profile-members.ts";
import { suggestion } from "../../machines/closest-name.ts";
import { WardenError } from "../../machines/errors.ts";
import { catalogOf, configuredDaemons } from "../catalog/config-daemons.ts";

export interface Selection {
  all?: boolean;
  /** Comma-separated names, as the source documents' `--daemons A,B`. */
  daemons?: string;
  profile?: string;
}

/**
 * The daemons a command line selects: `--daemons A,B`, `--profile P`, or every daemon the
 * configuration's `daemons` names. Dependencies are pulled in later. With a catalog, its daemon
 * types are names too and its profiles are profiles (one of the configuration's own `profiles`
 * of the same name wins). Unknown names are a usage error with a suggestion.
 *
 * @example
 * selectDaemons(config, { daemons: "AUTO_SYNC,CLUSTER_MONITOR" }); // ["AUTO_SYNC", "CLUSTER_MONITOR"]
 */
export function selectDaemons(config: WardenConfig, selection: Selection): string[] {
  const known = [...configuredDaemons(config).keys()];
  const chosen = [selection.all, selection.daemons, selection.profile].filter(
    (option) => option !== undefined && option !== false,
  );
  if (chosen.length > 1) {
    throw new WardenError("WARDEN_ERR_USAGE", "choose one of --all, --daemons and --profile");
  }
  if (selection.profile !== undefined) {
    const profiles = profilesOfConfig(config);
    const members = Object.hasOwn(profiles, selection.profile)
      ? profiles[selection.profile]
      : undefined;
    if (!members) {
      throw new WardenError(
        "WARDEN_ERR_UNKNOWN_PROFILE",
        `no profile named "${selection.profile}"${suggestion(selection.profile, Object.keys(profiles))}` +
          (Object.keys(profiles).length > 0
            ? `; profiles: ${Object.keys(profiles).join(", ")}`
            : "; the configuration defines no profiles"),
      );
    }
    return [...members()];
  }
  if (selection.daemons !== undefined) {
    const names = selection.daemons
      .split(",")
      .map((name) => name.trim())
      .filter((name) => name.length > 0);
    if (names.length === 0)
      throw new WardenError("WARDEN_ERR_USAGE", "--daemons needs at least one name");
    for (const name of names) {
      if (!known.includes(name)) {
        throw new WardenError(
          "WARDEN_ERR_UNKNOWN_DAEMON",
          `no daemon named "${name}"${suggestion(name, known)}`,
        );
      }
    }
    return names;
  }
  return Object.keys(config.daemons);
}

/**
 * Every profile a configuration can name, each as a function of its members: the catalog's (its
 * members with their dependencies) and then the configuration's own, which win on a name clash.
 *
 * @example
 * Object.keys(profilesOfConfig({ catalog: "ringrift", daemons: {} })); // ["coordinator", …]
 */
export function profilesOfConfig(config: WardenConfig): Record<string, () => readonly string[]> {
  const catalog = catalogOf(config);
  const profiles: Record<string, () => readonly string[]> = {};
  for (const profile of catalog?.profiles ?? []) {
    profiles[profile.name] = () => profileMembers(profile.name, catalog!);
  }
  for (const [name, members] of Object.entries(config.profiles ?? {})) {
    profiles[name] = () => members;
  }
  return profiles;
}
