import { join } from "node:path";
import { TOKEN_FILE, readToken } from "../runtime/control/api-token.ts";
import { configFileOf, quickStateDir } from "../runtime/config/config-file.ts";
import { WardenError, isWardenError } from "../machines/errors.ts";
import { MANAGER_INFO_FILE, readManagerInfo } from "../runtime/control/manager-discovery.ts";
import { shownPath } from "./shown-path.ts";

/** Which manager to talk to, as the command line says it: `--config`, `--url`, `--token`. */
export interface ConnectionOptions {
  config?: string;
  url?: string;
  token?: string;
}

/** A running manager's control API and how to authenticate to it. */
export interface ManagerTarget {
  /** e.g. `http://127.0.0.1:7070`, without a trailing slash. */
  url: string;
  token: string | undefined;
  /** The token's origin for messages, e.g. `the token in .warden/token`. */
  tokenSource: string;
  /**
   * When the manager was found through a configuration's `manager.json`: the "no manager is
   * running for …" message to give if its URL refuses connections.
   */
  notRunning?: string;
}

/**
 * Finds the manager to talk to. `--url` and `--token` name it directly (either one alone takes
 * the other from the configuration); otherwise the configuration (`--config`, or the one in
 * `cwd`) leads to its state directory, whose `manager.json` gives the URL and `token` the
 * token. No live manager there is `WARDEN_ERR_NOT_RUNNING` (exit 3), naming the configuration
 * and how to start one.
 *
 * @example
 * const target = await locateManager({ config: "deploy/warden.config.ts" }, process.cwd());
 * target.url; // "http://127.0.0.1:7070"
 */
export async function locateManager(
  options: ConnectionOptions,
  cwd: string,
): Promise<ManagerTarget> {
  const url = options.url === undefined ? undefined : checkedUrl(options.url, "--url");
  if (url !== undefined && options.token !== undefined) {
    return { url, token: options.token, tokenSource: "the token given with --token" };
  }
  const loaded = await configFor(options, cwd);
  const stateDir = loaded.stateDir;
  const tokenFile = join(stateDir, TOKEN_FILE);
  const token = options.token ?? readToken(stateDir);
  const tokenSource =
    options.token !== undefined
      ? "the token given with --token"
      : `the token in ${shownPath(tokenFile, cwd)}`;
  if (url !== undefined) return { url, token, tokenSource };
  const notRunning = notRunningMessage(loaded, stateDir, cwd);
  const info = readManagerInfo(stateDir);
  if (info === undefined) {
    // The lock's module (sockets, child processes) is loaded only on this path, not by every command.
    const { liveLockHolder } = await import("../runtime/state/state-lock.ts");
    const holder = liveLockHolder(stateDir);
    // Starting, or its state directory was just deleted and is being restored: not "no manager".
    if (holder !== undefined) {
      throw new WardenError(
        "WARDEN_ERR_CONTROL_API",
        `a manager (pid ${holder.pid}) holds ${shownPath(stateDir, cwd)} but has not announced its control API (it may be starting); try again in a moment`,
        { cause: MANAGER_STARTING },
      );
    }
    throw new WardenError("WARDEN_ERR_NOT_RUNNING", notRunning);
  }
  return {
    url: checkedUrl(info.url, shownPath(join(stateDir, MANAGER_INFO_FILE), cwd)),
    token,
    tokenSource,
    notRunning,
  };
}

/**
 * The state directory of the configuration `--config` names (or the one in `cwd`), for the
 * commands that also work without a manager: `warden emit` appends to its journal, `warden
 * events --since` reads it.
 *
 * @example
 * await locateStateDir({ config: "deploy/warden.config.ts" }, process.cwd()); // "/srv/app/.warden"
 */
export async function locateStateDir(options: ConnectionOptions, cwd: string): Promise<string> {
  return (await configFor(options, cwd)).stateDir;
}

/** The cause of the error that says a manager holds the state directory but is still starting. */
export const MANAGER_STARTING = "manager-starting";

/** The configuration file and its state directory. */
interface ConfigPlace {
  file: string;
  stateDir: string;
}

/**
 * Where the configuration keeps its state. A `.json`/`.yaml` file is only read for its
 * `stateDir`; a module (or a file that does not read cleanly) is loaded in full, lazily, so that
 * talking to a manager costs no schema, YAML or TypeScript machinery it does not need.
 */
async function configFor(options: ConnectionOptions, cwd: string): Promise<ConfigPlace> {
  try {
    const file = configFileOf(options.config, cwd);
    const quick = await quickStateDir(file);
    if (quick !== undefined) return { file, stateDir: quick };
    const { loadConfig, stateDirOf } = await import("../runtime/config/load-config.ts");
    const loaded = await loadConfig(file, cwd);
    return { file: loaded.file, stateDir: stateDirOf(loaded) };
  } catch (error) {
    // `--url` alone still needs a token: say that the configuration was wanted for it.
    if (options.url === undefined || !isWardenError(error, "WARDEN_ERR_CONFIG")) throw error;
    throw new WardenError(
      "WARDEN_ERR_USAGE",
      `--url without --token reads the token of the configuration, but: ${error.message}`,
      { cause: error },
    );
  }
}

function notRunningMessage(loaded: ConfigPlace, stateDir: string, cwd: string): string {
  const file = shownPath(loaded.file, cwd);
  return (
    `no manager is running for ${file} (state dir ${shownPath(stateDir, cwd)}); ` +
    `start one with: warden up --config ${file}`
  );
}

function checkedUrl(text: string, where: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Not a URL at all: the message below says what was expected.
    url = new URL("invalid:");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new WardenError(
      "WARDEN_ERR_USAGE",
      `${where}: expected an http:// or https:// URL such as http://127.0.0.1:7070, got ${JSON.stringify(text)}`,
    );
  }
  return url.href.replace(/\/+$/, "");
}
