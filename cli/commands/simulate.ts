/**
 * `warden simulate` (SPEC §12): runs a catalog or a configuration under a simulated clock with
 * seeded faults, checks the supervision invariants after every step, and prints the timeline
 * and a summary (or `--json`, one summary object on stdout); `--events FILE` writes the event log
 * as JSON lines, `--replay FILE` runs a log's seed and inputs again and reports the first line
 * that differs. Exit 0 when nothing is violated, 1 otherwise; 2 for bad usage.
 */
import { randomInt } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { WardenError } from "../../machines/errors.ts";
import { readLogHeader, type SimulationInputs } from "../../runtime/simulate/event-log.ts";
import { parseFaults } from "../../runtime/simulate/fault-spec.ts";
import {
  runSimulation,
  type SimulationOptions,
  type SimulationResult,
} from "../../runtime/simulate/run-simulation.ts";
import { durationText, parseDuration } from "../../runtime/simulate/sim-duration.ts";
import { summaryOf } from "../../runtime/simulate/simulation-summary.ts";
import { simulationSource } from "../../runtime/simulate/simulation-source.ts";
import type { CliIO } from "../io.ts";
import { liveInspect, type LiveInspect } from "./simulate-inspect.ts";
import { reportLines, violationText } from "./simulate-report.ts";

export interface SimulateOptions {
  config?: string;
  catalog?: string;
  profile?: string;
  daemons?: string;
  seed?: string;
  duration?: string;
  faults?: string;
  events?: string;
  replay?: string;
  json?: boolean;
  /** Serve the run to the inspector, paced at `speed` × the wall clock. */
  inspect?: boolean;
  speed?: string;
  port?: string;
}

/**
 * Runs `warden simulate`; the exit code goes through `io.exit` when it is not 0.
 *
 * @example
 * await simulate({ catalog: "ringrift", profile: "coordinator", duration: "24h", seed: "7" }, io);
 */
export async function simulate(options: SimulateOptions, io: CliIO): Promise<void> {
  if (options.replay !== undefined) return replay(options.replay, options, io);
  const seed = options.seed === undefined ? randomInt(2 ** 31) : parseSeed(options.seed);
  const durationMs = parseDuration(options.duration ?? "1h");
  const inputs: SimulationInputs = {
    seed,
    duration: durationText(durationMs),
    faults: options.faults ?? "",
    ...(options.catalog !== undefined ? { catalog: options.catalog } : {}),
    ...(options.config !== undefined ? { config: options.config } : {}),
    ...(options.profile !== undefined ? { profile: options.profile } : {}),
    ...(options.daemons !== undefined ? { daemons: options.daemons } : {}),
  };
  const live = options.inspect === true ? liveInspect(options, labelOf(inputs), io) : undefined;
  const { result, wallMs } = await run(inputs, io, {
    keepLog: options.events !== undefined,
    ...hooksOf(live),
  });
  if (options.events !== undefined && result.log) {
    writeFileSync(resolve(io.cwd, options.events), `${result.log.join("\n")}\n`);
  }
  if (options.json === true) io.out(JSON.stringify(summaryOf(result)));
  else for (const line of reportLines(result, { color: io.color, wallMs })) io.out(line);
  if (options.events !== undefined) io.err(`warden: event log written to ${options.events}`);
  const first = result.invariants.violations[0];
  if (first !== undefined) io.err(`warden: ${violationText(first, seed)}`);
  await live?.finish();
  if (first !== undefined) io.exit(1);
}

/** What the log's header says was simulated, for the inspector's page. */
function labelOf(inputs: SimulationInputs): string {
  const what = inputs.config ?? `--catalog ${inputs.catalog ?? "ringrift"}`;
  return `warden simulate ${what}${inputs.profile ? ` --profile ${inputs.profile}` : ""} --seed ${inputs.seed}`;
}

function hooksOf(live: LiveInspect | undefined) {
  return live ? { onManager: live.onManager, pace: live.pace } : {};
}

/** `--replay FILE`: the log's inputs run again, compared line by line. */
async function replay(file: string, options: SimulateOptions, io: CliIO): Promise<void> {
  const overridden = (
    ["config", "catalog", "profile", "daemons", "seed", "duration", "faults"] as const
  ).filter((key) => options[key] !== undefined);
  if (overridden.length > 0) {
    throw new WardenError(
      "WARDEN_ERR_USAGE",
      `--replay takes its inputs from the log; drop ${overridden.map((key) => `--${key}`).join(", ")}`,
    );
  }
  let text: string;
  try {
    text = readFileSync(resolve(io.cwd, file), "utf8");
  } catch (error) {
    throw new WardenError("WARDEN_ERR_USAGE", `--replay: cannot read ${file}`, { cause: error });
  }
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  let inputs: SimulationInputs;
  try {
    inputs = readLogHeader(lines[0]);
  } catch (error) {
    throw new WardenError("WARDEN_ERR_USAGE", `--replay: ${file}: ${(error as Error).message}`);
  }
  const live = options.inspect === true ? liveInspect(options, labelOf(inputs), io) : undefined;
  const { result } = await run(inputs, io, { expected: lines, ...hooksOf(live) });
  const difference = result.difference;
  if (options.json === true) {
    io.out(
      JSON.stringify({ ...summaryOf(result), replay: { file, matches: !difference, difference } }),
    );
  }
  if (difference) {
    io.err(`warden: replay of ${file} differs at line ${difference.line}`);
    io.err(`  expected: ${difference.expected ?? "(end of log)"}`);
    io.err(`  actual:   ${difference.actual ?? "(end of run)"}`);
    await live?.finish();
    io.exit(1);
    return;
  }
  const message = `replay of ${file} matches: ${result.events} events, seed ${inputs.seed}, digest ${result.digest}`;
  if (options.json === true) io.err(`warden: ${message}`);
  else io.out(message);
  await live?.finish();
}

async function run(
  inputs: SimulationInputs,
  io: CliIO,
  extra: Pick<SimulationOptions, "keepLog" | "expected" | "onManager" | "pace">,
): Promise<{ result: SimulationResult; wallMs: number }> {
  const faults = parseFaults(inputs.faults === "" ? undefined : inputs.faults);
  const durationMs = parseDuration(inputs.duration);
  const source = await simulationSource(inputs, io.cwd);
  const selection = {
    ...(inputs.profile !== undefined ? { profile: inputs.profile } : {}),
    ...(inputs.daemons !== undefined ? { daemons: inputs.daemons } : {}),
  };
  const startedAt = performance.now();
  const result = await runSimulation({
    config: source.config,
    selection,
    seed: inputs.seed,
    durationMs,
    faults,
    inputs: {
      duration: inputs.duration,
      ...(source.catalog !== undefined ? { catalog: source.catalog } : {}),
      ...(source.file !== undefined ? { config: source.file } : {}),
      ...(inputs.profile !== undefined ? { profile: inputs.profile } : {}),
      ...(inputs.daemons !== undefined ? { daemons: inputs.daemons } : {}),
    },
    timeline: true,
    ...extra,
  });
  return { result, wallMs: performance.now() - startedAt };
}

function parseSeed(text: string): number {
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new WardenError(
      "WARDEN_ERR_USAGE",
      `--seed: "${text}" is not an integer from 0 to 4294967295`,
    );
  }
  return seed;
}
