import { WardenError } from "../machines/errors.ts";

/** The source documents' flags and the commands they stand for (SPEC §8). */
const SOURCE_FLAGS = ["--status", "--all", "--daemons"] as const;

/**
 * Rewrites the source documents' command line (`launch_daemons.py --status | --all |
 * --daemons A,B`) into warden's: `--status` is `status`, `--all` is `start --all`, and
 * `--daemons A,B` is `start A B`; the other arguments follow. Only a command line that starts
 * with an option is rewritten, so `warden up --all` and `warden up --daemons A,B` keep their
 * own meaning. Two of the flags together are a usage error.
 *
 * @example
 * sourceFlagsToCommand(["--daemons", "AUTO_SYNC,CLUSTER_MONITOR", "--config", "w.ts"]);
 * // ["start", "AUTO_SYNC", "CLUSTER_MONITOR", "--config", "w.ts"]
 * sourceFlagsToCommand(["up", "--all"]); // ["up", "--all"] (unchanged)
 */
export function sourceFlagsToCommand(argv: readonly string[]): string[] {
  if (!argv[0]?.startsWith("-")) return [...argv];
  const rest: string[] = [];
  const found: { flag: string; names?: string[] }[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === "--status" || arg === "--all") found.push({ flag: arg });
    else if (arg === "--daemons") found.push({ flag: arg, names: namesOf(argv[++i]) });
    else if (arg.startsWith("--daemons=")) {
      found.push({ flag: "--daemons", names: namesOf(arg.slice("--daemons=".length)) });
    } else rest.push(arg);
  }
  if (found.length === 0) return [...argv];
  if (found.length > 1) {
    throw new WardenError(
      "WARDEN_ERR_USAGE",
      `choose one of ${SOURCE_FLAGS.join(", ")}; got ${found.map((f) => f.flag).join(" and ")}`,
    );
  }
  const [{ flag, names }] = found as [{ flag: string; names?: string[] }];
  if (flag === "--status") return ["status", ...rest];
  if (flag === "--all") return ["start", "--all", ...rest];
  return ["start", ...(names ?? []), ...rest];
}

function namesOf(list: string | undefined): string[] {
  const names = (list ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  if (names.length === 0 || list?.startsWith("-")) {
    throw new WardenError(
      "WARDEN_ERR_USAGE",
      "--daemons needs a comma-separated list of daemon names, e.g. --daemons AUTO_SYNC,CLUSTER_MONITOR",
    );
  }
  return names;
}
