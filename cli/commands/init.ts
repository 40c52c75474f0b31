import { Option, type Command } from "commander";
import type { CliIO } from "../io.ts";

/** The configuration formats `warden init --format` writes. */
export const INIT_FORMATS = ["ts", "json", "yaml"] as const;
export type InitFormat = (typeof INIT_FORMATS)[number];

export interface InitOptions {
  /** `--format`: "ts" (the default), "json" or "yaml". */
  format?: string;
  /** `--force`: overwrite files that exist, and write beside another configuration. */
  force?: boolean;
}

/**
 * Adds `warden init [DIR] [--format ts|json|yaml] [--force]` to `program`. What it does is
 * `initProject` (cli/commands/init-project.ts), loaded only when the command runs so that the
 * other commands do not pay for it.
 *
 * @example
 * registerInitCommand(program, io);
 */
export function registerInitCommand(program: Command, io: CliIO): void {
  program
    .command("init")
    .description(
      "write a commented starter configuration and an example daemon module; " +
        "refuses to overwrite files unless --force",
    )
    .argument("[dir]", "the folder to write into (default: this one; created if missing)")
    .addOption(
      new Option("--format <format>", "the configuration file's format")
        .choices(INIT_FORMATS)
        .default("ts"),
    )
    .option("--force", "overwrite existing files")
    .action(async (dir: string | undefined, options: InitOptions) => {
      (await import("./init-project.ts")).initProject(dir, options, io);
    });
}
