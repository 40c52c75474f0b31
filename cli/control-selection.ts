import { suggestion } from "../machines/closest-name.ts";
import type { DaemonStatus } from "../runtime/manager/daemon-manager.ts";
import { WardenError } from "../machines/errors.ts";
import { selectDaemons } from "../runtime/config/select-daemons.ts";
import type { CliIO } from "./io.ts";

/**
 * The built-in daemon that serves the control API: stopping or restarting it through that API
 * would cut the command off from its own answer, so `--all` leaves it alone and naming it is
 * refused. (runtime/control-plane.ts's HEALTH_SERVER; not imported from there, which would load
 * the whole server into every command.)
 */
export const CONTROL_API_DAEMON = "HEALTH_SERVER";

/** How `warden start|stop|restart` names its daemons: names, `--all` or `--profile`. */
export interface ControlSelection {
  /** Every daemon of the running manager. */
  all?: boolean;
  /** The members of a profile of the configuration. */
  profile?: string;
  /** The configuration file, where `--profile` is looked up. */
  config?: string;
}

/**
 * Checks that exactly one way of naming daemons was used, before anything is asked of the
 * manager; a usage error (exit 2) otherwise.
 *
 * @example
 * checkSelection("stop", [], { all: true }); // fine
 * checkSelection("stop", ["api"], { all: true }); // throws WARDEN_ERR_USAGE
 */
export function checkSelection(
  action: string,
  names: readonly string[],
  selection: ControlSelection,
): void {
  const ways = [names.length > 0, selection.all === true, selection.profile !== undefined];
  const count = ways.filter(Boolean).length;
  if (count === 1) return;
  throw new WardenError(
    "WARDEN_ERR_USAGE",
    count === 0
      ? `name the daemons to ${action}, or pass --all or --profile <name>`
      : "choose one of: daemon names, --all, --profile",
  );
}

/**
 * The daemons an action is about, each one a daemon of the running manager (`daemons`): the
 * names given (an unknown one is `WARDEN_ERR_UNKNOWN_DAEMON` with the closest name), all of
 * them, or a profile's members (an unknown profile suggests the closest one). Stop and restart
 * leave out {@link CONTROL_API_DAEMON}, saying so on stderr, and refuse it when named.
 *
 * @example
 * await chosenDaemons("stop", ["apj"], {}, daemons, io);
 * // throws: no daemon named "apj" (did you mean "api"?)
 */
export async function chosenDaemons(
  action: string,
  names: readonly string[],
  selection: ControlSelection,
  daemons: readonly DaemonStatus[],
  io: Pick<CliIO, "err" | "cwd">,
): Promise<string[]> {
  const chosen = await selected(names, selection, daemons, io.cwd);
  if (action === "start" || !chosen.includes(CONTROL_API_DAEMON)) return chosen;
  if (selection.all !== true) {
    throw new WardenError(
      "WARDEN_ERR_USAGE",
      `${CONTROL_API_DAEMON} serves the control API this command talks through, so warden cannot ${action} it this way; ` +
        "stop the manager instead (SIGTERM or Ctrl-C to `warden up`)",
    );
  }
  io.err(
    `warden: leaving ${CONTROL_API_DAEMON} running: it serves the control API this command talks through`,
  );
  return chosen.filter((name) => name !== CONTROL_API_DAEMON);
}

async function selected(
  names: readonly string[],
  selection: ControlSelection,
  daemons: readonly DaemonStatus[],
  cwd: string,
): Promise<string[]> {
  const known = daemons.map((daemon) => daemon.name);
  if (selection.all === true) return known;
  if (selection.profile === undefined) {
    checkKnown(names, known, (name) => `no daemon named "${name}"${suggestion(name, known)}`);
    return [...new Set(names)];
  }
  const { config } = await (
    await import("../runtime/config/load-config.ts")
  ).loadConfig(selection.config, cwd);
  const members = selectDaemons(config, { profile: selection.profile });
  checkKnown(
    members,
    known,
    (name) =>
      `profile "${selection.profile}" names "${name}", which the running manager does not have ` +
      "(was the configuration changed since it started?)",
  );
  return members;
}

function checkKnown(
  names: readonly string[],
  known: readonly string[],
  problem: (name: string) => string,
): void {
  const knownNames = new Set(known);
  const unknown = names.filter((name) => !knownNames.has(name)).map(problem);
  if (unknown.length === 0) return;
  const [first, ...rest] = unknown;
  throw new WardenError("WARDEN_ERR_UNKNOWN_DAEMON", first!, { details: rest });
}
