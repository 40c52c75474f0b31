import { Command, CommanderError, Option } from "commander";
import { isWardenError, messageOf } from "../machines/errors.ts";
import { registerDiagramCommand } from "./commands/diagram.ts";
import { registerDlqCommands } from "./commands/dlq.ts";
import { registerInspectCommand } from "./commands/inspect.ts";
import { registerInitCommand } from "./commands/init.ts";
import { registerLogsCommand } from "./commands/logs.ts";
import { registerResourcesCommand } from "./commands/resources.ts";
import { registerSimulateCommand } from "./commands/simulate-command.ts";
import { registerControlCommands } from "./control-commands.ts";
import { sourceFlagsToCommand } from "./source-flags.ts";
import type { CliIO } from "./io.ts";
import { packageVersion } from "./version.ts";

/**
 * The `warden` command line (SPEC §8), built from injected I/O so that tests can run it in
 * process. Every failure ends in `io.exit` with the code of SPEC §8: 1 runtime failure,
 * 2 bad usage or configuration, 3 manager not running.
 *
 * @example
 * await buildProgram(io).parseAsync(["node", "warden", "validate", "--config", "warden.config.ts"]);
 */
export function buildProgram(io: CliIO): Command {
  const program = new Command("warden")
    .description("Supervise daemons: in-process TypeScript modules and programs in any language.")
    .version(packageVersion(), "-V, --version")
    .showHelpAfterError("(run `warden --help` for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text.replace(/\n$/, "")),
      writeErr: (text) => io.err(text.replace(/\n$/, "")),
    });

  program
    .command("up")
    .description(
      "run the manager in the foreground until SIGINT/SIGTERM, then stop everything in order",
    )
    .option(
      "-c, --config <file>",
      "configuration file (default: warden.config.{ts,js,mjs,json,yaml} here)",
    )
    .option("--all", "start every daemon of the configuration (the default)")
    .option(
      "--daemons <names>",
      "start only these daemons (comma-separated) and their dependencies",
    )
    .option(
      "--profile <name>",
      "start the daemons of a profile and their dependencies; `auto` picks one by profileRules",
    )
    .option("--no-output", "do not print what process daemons write (their log files keep it)")
    .addOption(
      new Option("--log-level <level>", "daemon log level")
        .choices(["trace", "debug", "info", "warn", "error", "fatal", "silent"])
        .default("info"),
    )
    .option(
      "--supervised",
      "run the manager as a child process and restart it with backoff if it dies (gives up after more than 5 restarts within 60 s)",
    )
    .option(
      "--inspect <ws-url>",
      "stream the actor system to a Stately inspector's WebSocket (docs/stately-inspector.md)",
    )
    .action(async (options) =>
      // The supervisor loads none of the manager's runtime: it never imports ./commands/up.ts.
      options.supervised === true
        ? (await import("./commands/supervised.ts")).supervised(options, io)
        : (await import("./commands/up.ts")).up(options, io),
    );

  program
    .command("systemd-unit")
    .description(
      "print a systemd unit file that runs `warden up --supervised` with this configuration",
    )
    .option(
      "-c, --config <file>",
      "configuration file (default: warden.config.{ts,js,mjs,json,yaml} here)",
    )
    .action(async (options) =>
      (await import("./commands/systemd-unit.ts")).systemdUnit(options, io),
    );

  program
    .command("validate")
    .description(
      "check a configuration: schema, daemon modules and the dependency graph; exit 2 if bad",
    )
    .option(
      "-c, --config <file>",
      "configuration file (default: warden.config.{ts,js,mjs,json,yaml} here)",
    )
    .option("--profile <name>", "check what `warden up --profile <name>` would start")
    .action(async (options) => (await import("./commands/validate.ts")).validate(options, io));

  program
    .command("catalog")
    .description(
      "list the built-in catalog's daemon types (SPEC §6) and whether the configuration binds them",
    )
    .option("--profile <name>", "only this profile's members, with their dependencies")
    .option("--json", "print an array of { name, title, category, description, dependsOn, … }")
    .option(
      "-c, --config <file>",
      "configuration whose bindings to show (default: warden.config.{ts,js,mjs,json,yaml} here, if any)",
    )
    .action(async (options) => (await import("./commands/catalog.ts")).catalog(options, io));

  registerInitCommand(program, io);
  registerLogsCommand(program, io);
  registerControlCommands(program, io);
  registerDlqCommands(program, io);
  registerInspectCommand(program, io);
  registerDiagramCommand(program, io);
  registerResourcesCommand(program, io);
  registerSimulateCommand(program, io);
  return program;
}

/** Runs the CLI on `argv` (without the node and script entries) and maps failures to exit codes. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<void> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(sourceFlagsToCommand(argv), { from: "user" });
  } catch (error) {
    io.exit(exitCodeOf(error, io));
  }
}

function exitCodeOf(error: unknown, io: CliIO): number {
  if (error instanceof CommanderError) {
    // Help and version output are successes; everything else commander rejects is usage.
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return 0;
    if (error.code === "commander.help") return 0;
    return 2;
  }
  if (isWardenError(error)) {
    io.err(`warden: ${error.message}`);
    for (const detail of error.details) {
      if (!error.message.includes(detail)) io.err(`  ${detail}`);
    }
    return error.exitCode;
  }
  io.err(`warden: ${messageOf(error)}`);
  if (error instanceof Error && error.stack) io.err(error.stack);
  return 1;
}
