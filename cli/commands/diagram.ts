import { Argument, Option, type Command } from "commander";
import type { CliIO } from "../io.ts";

/**
 * The kinds and formats of `warden diagram`, as its usage lists them. (The same lists as
 * runtime/diagrams/diagram.ts, which a test holds them to: that module brings in XState, which the
 * CLI's start-up path must not load.)
 */
export const DIAGRAM_KIND_CHOICES = ["lifecycle", "supervisor", "deps"] as const;
export const DIAGRAM_FORMAT_CHOICES = ["mermaid", "dot", "svg"] as const;

export interface DiagramOptions {
  format: (typeof DIAGRAM_FORMAT_CHOICES)[number];
  out?: string;
  profile?: string;
  config?: string;
}

/**
 * Adds `warden diagram <lifecycle|supervisor|deps> [--profile P] [--format mermaid|dot|svg]
 * [--out F] [--config F]` to `program` (SPEC §10). An unknown kind or format is a usage error
 * (exit 2) from commander, listing the choices. What it does is `drawDiagram`
 * (cli/commands/draw-diagram.ts), loaded only when the command runs.
 *
 * @example
 * registerDiagramCommand(program, io);
 */
export function registerDiagramCommand(program: Command, io: CliIO): void {
  program
    .command("diagram")
    .description(
      "print a diagram generated from the code: the daemon lifecycle statechart, the supervisor's, " +
        "or the dependency graph of the configuration (or of the built-in catalog)",
    )
    .addArgument(new Argument("<kind>", "what to draw").choices(DIAGRAM_KIND_CHOICES))
    .addOption(
      new Option("--format <format>", "Mermaid text, Graphviz DOT, or an SVG document")
        .choices(DIAGRAM_FORMAT_CHOICES)
        .default("mermaid"),
    )
    .option("-o, --out <file>", "write the diagram to this file instead of standard output")
    .option("--profile <name>", "deps: only this profile's members, with their dependencies")
    .option(
      "-c, --config <file>",
      "deps: the configuration to draw (default: warden.config.{ts,js,mjs,json,yaml} here, " +
        "else the built-in ringrift catalog)",
    )
    .action(async (kind: (typeof DIAGRAM_KIND_CHOICES)[number], options: DiagramOptions) =>
      (await import("./draw-diagram.ts")).drawDiagram(kind, options, io),
    );
}
