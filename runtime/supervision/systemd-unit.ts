/**
 * The systemd unit of a configuration (`warden systemd-unit`, SPEC §8,
 * docs/decisions/0009-supervised-manager.md): a service that runs `warden up --supervised`, stops
 * it with SIGTERM to the main process only (KillMode=mixed) and gives it longer to stop than the
 * manager's ordered stop of this configuration can take. Pure: paths and numbers come in, text
 * goes out.
 */
import { DEFAULTS } from "../../machines/defaults.ts";
import { criticalPath } from "../../machines/dependency-graph.ts";
import { WardenError } from "../../machines/errors.ts";
import { configuredDaemons, dependencyGraphOf } from "../catalog/config-daemons.ts";
import type { WardenConfig } from "../config/types.ts";

/** `warden up` registers it beside the configuration's daemons (runtime/control/control-plane.ts). */
const HEALTH_SERVER = "HEALTH_SERVER";
/** DaemonRegistry's margin for what a stop does besides waiting (runtime/manager/daemon-registry.ts). */
const MANAGER_STOP_MARGIN_MS = 5_000;
/** Beyond the manager's stop budget: the manager's and the supervisor's own exits, and slack. */
export const UNIT_STOP_MARGIN_MS = 10_000;
/** How long systemd waits before starting a supervisor that gave up (or died) again. */
export const UNIT_RESTART_SEC = 30;

/** How long the manager's ordered stop of everything may take, and what that is made of. */
export interface StopBudget {
  /** Daemons on the longest dependency chain. */
  chain: number;
  /** The largest `stopTimeoutMs`. */
  longestStopMs: number;
  /** (chain + 1) × longestStopMs + 5 s, as `warden up` bounds its shutdown. */
  budgetMs: number;
}

/**
 * The bound `warden up` puts on its shutdown (DaemonManager.stopBudgetMs), worked out from the
 * configuration alone, without loading any daemon: every daemon it knows (those of its catalog
 * too) and HEALTH_SERVER. A daemon `warden up` would leave out only makes it longer, never shorter.
 *
 * @example
 * managerStopBudget({ daemons: { db: { command: "pg" }, api: { command: "api", dependsOn: ["db"] } } });
 * // { chain: 2, longestStopMs: 10000, budgetMs: 35000 }
 */
export function managerStopBudget(config: WardenConfig): StopBudget {
  const daemons = configuredDaemons(config);
  const graph = dependencyGraphOf(daemons);
  if (!graph.has(HEALTH_SERVER)) graph.set(HEALTH_SERVER, []);
  const stopTimeouts = [...daemons.values()].map((daemon) =>
    daemon.name === HEALTH_SERVER
      ? DEFAULTS.daemon.stopTimeoutMs
      : (daemon.definition.stopTimeoutMs ?? DEFAULTS.daemon.stopTimeoutMs),
  );
  // HEALTH_SERVER takes the default: the configuration cannot set its options.
  const longestStopMs = Math.max(DEFAULTS.daemon.stopTimeoutMs, ...stopTimeouts);
  const chain = criticalPath(graph, () => 1);
  return { chain, longestStopMs, budgetMs: (chain + 1) * longestStopMs + MANAGER_STOP_MARGIN_MS };
}

/** What the unit is made of. Every path is absolute. */
export interface SystemdUnitInput {
  /** The Node binary (process.execPath). */
  node: string;
  /** warden's `bin/warden.js`, its real path. */
  bin: string;
  /** The configuration file. */
  config: string;
  /** The configuration's folder: the service's working directory. */
  workingDirectory: string;
  stopBudget: StopBudget;
  /** The account to run as (`User=`); left out, the service runs as root. */
  user?: string;
  /** The PATH daemons' commands are looked up in, as where the unit was made. */
  path?: string;
}

/**
 * The unit file's text.
 *
 * @example
 * const unit = renderSystemdUnit({
 *   node: "/usr/bin/node", bin: "/srv/app/node_modules/warden/bin/warden.js",
 *   config: "/srv/app/warden.config.ts", workingDirectory: "/srv/app",
 *   stopBudget: managerStopBudget(config),
 * });
 * // …ExecStart=/usr/bin/node /srv/app/node_modules/warden/bin/warden.js up --supervised --config /srv/app/warden.config.ts…
 */
export function renderSystemdUnit(input: SystemdUnitInput): string {
  for (const [what, path] of [
    ["the Node binary", input.node],
    ["warden's bin", input.bin],
    ["the configuration", input.config],
    ["the working directory", input.workingDirectory],
  ] as const) {
    if (!path.startsWith("/")) throw unitError(`${what} must be an absolute path, got ${path}`);
    checkLine(what, path);
  }
  if (input.user !== undefined && !/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/.test(input.user)) {
    throw unitError(`not a user name systemd accepts: ${JSON.stringify(input.user)}`);
  }
  if (input.path !== undefined) checkLine("PATH", input.path);
  const { chain, longestStopMs, budgetMs } = input.stopBudget;
  const timeoutStopSec = Math.ceil((budgetMs + UNIT_STOP_MARGIN_MS) / 1000);
  const name = unitNameFor(input.workingDirectory);
  const command = [input.node, input.bin, "up", "--supervised", "--config", input.config];
  const lines = [
    `# The systemd unit of the warden configuration ${input.config}, written by \`warden systemd-unit\`.`,
    `# Install it as /etc/systemd/system/${name}, then: systemctl daemon-reload && systemctl enable --now ${name}`,
    "[Unit]",
    `Description=${specifiers(`warden daemon supervisor (${input.config})`)}`,
    "After=network-online.target",
    "Wants=network-online.target",
    "# Never given up on for good: the supervisor gives up on a crash loop itself (exit 1, saying why)",
    `# and systemd starts it again ${UNIT_RESTART_SEC} s later.`,
    "StartLimitIntervalSec=0",
    "",
    "[Service]",
    "Type=simple",
    ...(input.user !== undefined ? [`User=${input.user}`] : []),
    `WorkingDirectory=${specifiers(input.workingDirectory)}`,
    ...(input.path !== undefined
      ? [
          "# Daemons' commands are looked up on the PATH the unit was made with.",
          `Environment=${environmentAssignment("PATH", input.path)}`,
        ]
      : []),
    `ExecStart=${command.map(execArgument).join(" ")}`,
    "# The supervisor restarts a manager that dies; systemd restarts the supervisor. Exit 2 is a bad",
    "# configuration, which would fail the same way: fix it, then `systemctl restart`.",
    "Restart=on-failure",
    `RestartSec=${UNIT_RESTART_SEC}`,
    "RestartPreventExitStatus=2",
    "# KillMode=mixed: on stop, SIGTERM goes to the main process only (the supervisor), which passes it",
    "# to the manager, which stops its daemons' process groups in reverse dependency order; the default",
    "# (control-group) would signal every daemon at once, out of order. What is still running when",
    "# TimeoutStopSec= runs out gets SIGKILL.",
    "KillMode=mixed",
    "KillSignal=SIGTERM",
    "# The manager may create cgroups below the unit's for its daemons (limits.cpuPercent, the memory",
    "# limit, and every process of a daemon found and stopped with it): docs/limits.md.",
    "Delegate=yes",
    `# Longer than the manager's longest ordered stop of this configuration: (${chain} daemons on the`,
    `# longest dependency chain + 1) × ${longestStopMs} ms (the largest stopTimeoutMs) + 5 s = ${budgetMs} ms,`,
    `# plus ${UNIT_STOP_MARGIN_MS / 1000} s. Run \`warden systemd-unit\` again after changing those.`,
    `TimeoutStopSec=${timeoutStopSec}`,
    "",
    "[Install]",
    "WantedBy=multi-user.target",
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * A unit name for a configuration in `dir`: `warden-<folder>.service`, with what systemd does not
 * allow in a name replaced by `-`.
 *
 * @example
 * unitNameFor("/srv/my app"); // "warden-my-app.service"
 */
export function unitNameFor(dir: string): string {
  const folder =
    dir
      .split("/")
      .filter((part) => part !== "")
      .at(-1) ?? "";
  const safe = folder.replace(/[^A-Za-z0-9:_.-]+/g, "-").replace(/^[-.]+|-+$/g, "");
  return safe === "" ? "warden.service" : `warden-${safe}.service`;
}

/**
 * One argument of `ExecStart=`: `%` and `$` escaped, so that
 * systemd expands neither specifiers nor variables, and double-quoted when it holds a space, a
 * quote, a backslash or a `;`, or is empty.
 *
 * @example
 * execArgument("/srv/my app/warden.config.ts"); // "\"/srv/my app/warden.config.ts\""
 */
export function execArgument(argument: string): string {
  checkLine("an argument", argument);
  const escaped = specifiers(argument).replace(/\$/g, "$$$$");
  if (escaped !== "" && !/[\s"'\\;]/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/**
 * One `Environment=` assignment: `%` escaped (specifiers are expanded there, variables are not:
 * `$` stays as it is), double-quoted when it holds a space, a quote or a backslash.
 *
 * @example
 * environmentAssignment("PATH", "/usr/bin:/bin"); // "PATH=/usr/bin:/bin"
 */
export function environmentAssignment(name: string, value: string): string {
  const assignment = `${name}=${value}`;
  checkLine("an environment variable", assignment);
  const escaped = specifiers(assignment);
  if (!/[\s"'\\]/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** `%` doubled: systemd expands `%x` specifiers in most settings. */
function specifiers(text: string): string {
  return text.replace(/%/g, "%%");
}

/** A line break or another control character would end the setting (or the unit) early. */
function checkLine(what: string, text: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) {
    throw unitError(`${what} holds a line break or a control character: ${JSON.stringify(text)}`);
  }
}

function unitError(message: string): WardenError {
  return new WardenError("WARDEN_ERR_USAGE", `cannot write a systemd unit: ${message}`);
}
