import type { WardenConfig } from "./types.ts";
import { suggestion } from "../../machines/closest-name.ts";
import { WardenError } from "../../machines/errors.ts";

export interface Selection {
  all?: boolean;
  /** Comma-separated names, as the source documents' `--daemons A,B`. */
  daemons?: string;
  profile?: string;
}

/**
 * The daemons a command line selects: `--daemons A,B`, `--profile P`, or everything. Dependencies
 * are pulled in later by the manager. Unknown names are a usage error with a suggestion.
 *
 * @example
 * selectDaemons(config, { daemons: "AUTO_SYNC,CLUSTER_MONITOR" }); // ["AUTO_SYNC", "CLUSTER_MONITOR"]
 */
export function selectDaemons(config: WardenConfig, selection: Selection): string[] {
  const known = Object.keys(config.daemons);
  const chosen = [selection.all, selection.daemons, selection.profile].filter(
    (option) => option !== undefined && option !== false,
  );
  if (chosen.length > 1) {
    throw new WardenError("WARDEN_ERR_USAGE", "choose one of --all, --daemons and --profile");
  }
  if (selection.profile !== undefined) {
    const profiles = config.profiles ?? {};
    const members = profiles[selection.profile];
    if (!members) {
      throw new WardenError(
        "WARDEN_ERR_UNKNOWN_PROFILE",
        `no profile named "${selection.profile}"${suggestion(selection.profile, Object.keys(profiles))}` +
          (Object.keys(profiles).length > 0
            ? `; profiles: ${Object.keys(profiles).join(", ")}`
            : "; the configuration defines no profiles"),
      );
    }
    return [...members];
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
  return known;
}
