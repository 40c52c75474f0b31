/** The machine and the command line of a run, as the report states them. */
import { execFileSync } from "node:child_process";
import os from "node:os";
import type { BenchmarkName } from "./plan.ts";

export interface Machine {
  date: string;
  command: string;
  node: string;
  nproc: string;
  cpu: string;
  memory: string;
  load: string;
}

/** The options of the run that its command line shows. */
export interface RunFlags {
  quick: boolean;
  only: ReadonlySet<BenchmarkName> | undefined;
  pm2: boolean;
}

function run(command: string, args: string[], fallback: string): string {
  try {
    return execFileSync(command, args, { encoding: "utf8" }).trim();
  } catch {
    return fallback;
  }
}

export function machine(args: RunFlags): Machine {
  const script = process.env.npm_lifecycle_script;
  const invoked = process.env.npm_lifecycle_event === "bench" ? "npm run bench" : undefined;
  const actual = script ?? `node ${process.execArgv.join(" ")} bench/run.ts`;
  const flags = [
    args.quick ? "--quick" : "",
    args.only ? `--only ${[...args.only].join(",")}` : "",
    args.pm2 ? "" : "--no-pm2",
  ].filter((flag) => flag !== "");
  const suffix = flags.map((flag) => ` ${flag}`).join("");
  return {
    date: new Date().toISOString(),
    command: invoked
      ? `${invoked}${flags.length > 0 ? ` --${suffix}` : ""} (= \`${actual}${suffix}\`)`
      : `${actual}${suffix}`,
    node: run("node", ["--version"], process.version),
    nproc: run("nproc", [], String(os.availableParallelism())),
    cpu: os.cpus()[0]?.model ?? "unknown",
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    load: os
      .loadavg()
      .map((load) => load.toFixed(2))
      .join(", "),
  };
}
