/**
 * `warden simulate`'s options and help (SPEC §12), without loading the simulator: the command's
 * code (./simulate.ts) is imported when it runs.
 */
import type { Command } from "commander";
import type { CliIO } from "../io.ts";
import type { SimulateOptions } from "./simulate.ts";

/**
 * Adds `warden simulate` to `program`.
 *
 * @example
 * registerSimulateCommand(program, io);
 */
export function registerSimulateCommand(program: Command, io: CliIO): void {
  program
    .command("simulate")
    .description(
      "run a catalog or configuration under a simulated clock with seeded faults, checking the supervision invariants (docs/simulate.md)",
    )
    .option(
      "-c, --config <file>",
      "configuration to simulate (default: the one here, else --catalog ringrift)",
    )
    .option("--catalog <name>", "simulate a built-in catalog without a configuration (ringrift)")
    .option("--profile <name>", "only the daemons of this profile, with their dependencies")
    .option("--daemons <names>", "only these daemons (comma-separated), with their dependencies")
    .option("--seed <n>", "seed of the fault and jitter streams (default: a random one, printed)")
    .option("--duration <d>", "simulated time to run, e.g. 24h, 90m (default 1h)")
    .option(
      "--faults <spec>",
      "fault rates, e.g. crash=0.01,hang=0.002 (per daemon-hour; slow-start and stop-timeout per start/stop); `none` zeroes them",
    )
    .option("--events <file>", "write the full event log there as JSON lines")
    .option(
      "--replay <file>",
      "run an --events log's seed and inputs again and report the first difference",
    )
    .option("--json", "print one summary object on stdout")
    .option(
      "--inspect",
      "serve the run to the inspector (login URL on stdout), paced against the wall clock; stays up until Ctrl-C",
    )
    .option("--speed <n>", "with --inspect: simulated seconds per wall second (default 60)")
    .option("--port <n>", "with --inspect: the port to serve on (default: a free one)")
    .action(async (options: SimulateOptions) =>
      // Loaded only when run: the simulator brings the whole runtime with it.
      (await import("./simulate.ts")).simulate(options, io),
    );
}
