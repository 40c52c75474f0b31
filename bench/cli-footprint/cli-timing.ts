/**
 * Benchmark (f)'s CLI latency: `node -e 0` (the baseline) and three `warden` commands against the
 * running manager, each a child process timed from spawn to exit, in rotating order.
 */
import { runTimed, type RunHolder } from "../control-api/child.ts";
import { checkRunningAgain } from "../control-api/restart.ts";
import type { Manager } from "../control-api/server.ts";
import { RESTARTED_DAEMON, SETTLE_MS, WARDEN_BIN } from "../control-api/settings.ts";
import { inRotation, type Rounds } from "../rotation.ts";
import { median } from "../stats.ts";
import { delay } from "../wait.ts";

export type CliCommand = "node" | "status" | "help" | "restart";
export const CLI_COMMANDS: readonly CliCommand[] = ["node", "status", "help", "restart"];

/** Each command as the report shows it; `F` is the configuration. */
export const CLI_LABELS: Record<CliCommand, string> = {
  node: "node -e 0",
  status: "warden status --config F",
  help: "warden --help",
  restart: `warden restart ${RESTARTED_DAEMON} --config F`,
};

export interface CliTiming {
  runs: number;
  warmups: number;
  /** Medians, spawn to exit, ms. */
  medians: Record<CliCommand, number>;
  /** Every measured run, ms, in order. */
  samples: Record<CliCommand, number[]>;
}

/** What the commands run against: the manager and its configuration file. */
export interface CliSession extends RunHolder {
  config: string;
  manager: Manager;
}

function argsOf(command: CliCommand, config: string): string[] {
  switch (command) {
    case "node":
      return ["-e", "0"];
    case "status":
      return [WARDEN_BIN, "status", "--config", config];
    case "help":
      return [WARDEN_BIN, "--help"];
    case "restart":
      return [WARDEN_BIN, "restart", RESTARTED_DAEMON, "--config", config];
  }
}

/** One run of `command`, spawn to exit, ms; a restart is checked to have happened afterwards. */
async function runOnce(session: CliSession, command: CliCommand): Promise<number> {
  const args = argsOf(command, session.config);
  const what = command === "node" ? "node -e 0" : `warden ${args.slice(1).join(" ")}`;
  const run = await runTimed(session, args, what);
  if (command === "restart") await checkRunningAgain(session.manager, RESTARTED_DAEMON, run.at);
  return run.ms;
}

/**
 * `rounds.warmups` then `rounds.runs` rounds of every command, SETTLE_MS apart.
 *
 * @example
 * const timing = await measureCliTiming(session, { warmups: 2, runs: 15 }, console.error);
 * timing.medians.status / timing.medians.node; // e.g. 1.4
 */
export async function measureCliTiming(
  session: CliSession,
  rounds: Rounds,
  progress: (message: string) => void,
): Promise<CliTiming> {
  const samples: CliTiming["samples"] = { node: [], status: [], help: [], restart: [] };
  await inRotation(
    CLI_COMMANDS,
    rounds,
    async (command, warm) => {
      session.manager.child.checkAlive();
      await delay(SETTLE_MS);
      const ms = await runOnce(session, command);
      if (!warm) samples[command].push(ms);
      return `${command} ${ms.toFixed(0)} ms`;
    },
    (label, measured) => progress(`(f) CLI ${label}: ${measured.join(", ")}`),
  );
  const medians = Object.fromEntries(
    CLI_COMMANDS.map((command) => [command, median(samples[command])]),
  ) as Record<CliCommand, number>;
  return { ...rounds, medians, samples };
}
