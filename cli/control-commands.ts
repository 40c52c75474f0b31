import { InvalidArgumentError, type Command } from "commander";
import { DEFAULTS } from "../machines/defaults.ts";
import { control, type ControlAction } from "./commands/control.ts";
import { emit } from "./commands/emit.ts";
import { MAX_JOURNAL_HISTORY, events } from "./commands/events.ts";
import { status } from "./commands/status.ts";
import type { CliIO } from "./io.ts";
import { sinceTime } from "./since-option.ts";
import { addConnectionOptions } from "./manager-client.ts";

const ACTIONS: Record<ControlAction, string> = {
  start: "start daemons (with their dependencies) and wait until they run",
  stop: "stop daemons, dependents first, and wait until they have stopped",
  restart: "restart daemons (a stopped or failed one is started) and wait until they run",
};

/**
 * Adds the commands that steer a running manager through its control API: `status`,
 * `start`/`stop`/`restart`, `events` and `emit`, each taking `--config` or `--url`/`--token`.
 *
 * @example
 * registerControlCommands(program, io);
 */
export function registerControlCommands(program: Command, io: CliIO): void {
  addConnectionOptions(
    program
      .command("status")
      .description(
        "show the running manager's daemons: state, pid, uptime, restarts, health, last error",
      )
      .option("--json", "print the manager's status document as JSON (docs/cli-json.md)")
      .option("-w, --watch", "redraw every second until Ctrl-C")
      .option("--cluster", "show every node of the cluster instead (docs/cluster.md)"),
  ).action(async (options) => status(options, io));

  for (const [action, description] of Object.entries(ACTIONS) as [ControlAction, string][]) {
    const command = program.command(action);
    if (action === "start") {
      command.option(
        "--replace",
        "stop the running daemons it conflicts with first, instead of refusing (SPEC §6a)",
      );
    }
    addConnectionOptions(
      command
        .description(description)
        .argument("[names...]", "the daemons, as the running manager names them")
        .option("--all", `${action} every daemon of the running manager`)
        .option("--profile <name>", `${action} the daemons of a profile of the configuration`)
        .option(
          "--timeout <ms>",
          `how long the manager waits for each daemon (default ${DEFAULTS.control.actionTimeoutMs})`,
          integerArgument(1, 24 * 3600_000),
        )
        .option("--json", "print the resulting status of each daemon as a JSON array")
        .option("--node <name>", `${action} the named daemons on this node of the cluster`)
        .option("--all-nodes", `${action} the named daemons on every node of the cluster`),
    ).action(async (names: string[], options) => control(action, names, options, io));
  }

  addConnectionOptions(
    program
      .command("events")
      .description("print the manager's recent events; -f keeps printing new ones until Ctrl-C")
      .option("-f, --follow", "keep printing events as they happen, until Ctrl-C")
      .option(
        "--type <type>",
        "only events of this type (repeatable, or comma-separated)",
        collectTypes,
      )
      .option(
        "-n, --limit <count>",
        `how many recent events to print (default ${DEFAULTS.control.eventsLimit}; ` +
          `with --follow ${DEFAULTS.cli.followBacklog}; with --since ${DEFAULTS.events.historyCapacity}, the newest)`,
        integerArgument(0, MAX_JOURNAL_HISTORY),
      )
      .option(
        "--since <time>",
        "events since then, from the journal (also with no manager running): a duration back " +
          "from now (90s, 5m, 2h, 1d) or a date and time",
        (text: string) => sinceTime(text, Date.now()),
      )
      .option("--json", "print each event's envelope as one line of JSON (JSON Lines)"),
  ).action(async (options) => events(options, io));

  addConnectionOptions(
    program
      .command("emit")
      .description(
        "publish an event on the running manager's bus (or, with none running, journal it for " +
          "the next one) and print its id once journaled",
      )
      .argument("<type>", "the event type, e.g. MODEL_SAVED (DAEMON_* is reserved)")
      .option("--data <json>", "the event's data, as JSON")
      .option("--json", "print the published envelope as JSON"),
  ).action(async (type: string, options) => emit(type, options, io));

  program.addHelpText(
    "after",
    "\nThe source documents' flags work too: `warden --status` is `warden status`, " +
      "`warden --all` is `warden start --all`, `warden --daemons A,B` is `warden start A B`.",
  );
}

function integerArgument(min: number, max: number) {
  return (value: string): number => {
    const number = Number(value);
    if (!/^\d+$/.test(value.trim()) || number < min || number > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}.`);
    }
    return number;
  };
}

function collectTypes(value: string, previous: string[] | undefined): string[] {
  const types = value
    .split(",")
    .map((type) => type.trim())
    .filter((type) => type.length > 0);
  return [...(previous ?? []), ...types];
}
