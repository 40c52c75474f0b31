import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { WardenError, messageOf } from "../../machines/errors.ts";
import { CONFIG_FILE_NAMES } from "../../runtime/config/config-file.ts";
import type { LoadedConfig } from "../../runtime/config/load-config.ts";
import { dependencyDiagram } from "../../runtime/diagrams/dependency-diagram.ts";
import { chartOf, diagramText, type Diagram } from "../../runtime/diagrams/diagram.ts";
import type { CliIO } from "../io.ts";
import { shownPath } from "../shown-path.ts";
import type { DiagramOptions } from "./diagram.ts";
import { resolveProfile } from "./profile-auto.ts";

/**
 * `warden diagram <kind>` (SPEC §10): `lifecycle` and `supervisor` draw the machines as they are
 * defined and need no configuration (a `--profile` or `--config` with them is a usage error, not
 * silently ignored); `deps` draws the dependency graph of the configuration (`--config`, or the
 * one in this folder) or, when there is none, of the built-in ringrift catalog — as `warden
 * catalog` does — limited to `--profile P` and its dependencies (`auto` picks one by
 * `profileRules`). The text goes to standard output, or to `--out FILE`.
 *
 * @example
 * await drawDiagram("deps", { format: "dot", profile: "coordinator" }, io);
 */
export async function drawDiagram(
  kind: "lifecycle" | "supervisor" | "deps",
  options: DiagramOptions,
  io: CliIO,
): Promise<void> {
  let diagram: Diagram;
  if (kind === "deps") {
    const loaded = await configIfAny(options.config, io.cwd);
    const selection = loaded ? await resolveProfile(loaded, options, io) : options;
    diagram = { kind: "deps", graph: dependencyDiagram(loaded?.config, selection.profile) };
  } else {
    const extra = options.profile !== undefined ? "--profile" : options.config && "--config";
    if (extra) {
      throw new WardenError(
        "WARDEN_ERR_USAGE",
        `warden diagram ${kind} draws the machine as it is defined: ${extra} applies to \`warden diagram deps\` only`,
      );
    }
    diagram = chartOf(kind);
  }
  const text = await diagramText(diagram, options.format);
  if (options.out === undefined) {
    io.out(text.replace(/\n$/, ""));
    return;
  }
  const file = resolve(io.cwd, options.out);
  try {
    writeFileSync(file, text);
  } catch (error) {
    throw new WardenError("WARDEN_ERR_USAGE", `cannot write ${options.out}: ${messageOf(error)}`);
  }
  io.err(`warden: wrote ${shownPath(file, io.cwd)}`);
}

/** The configuration named, or the one in `cwd` if any; undefined when neither. */
async function configIfAny(
  file: string | undefined,
  cwd: string,
): Promise<LoadedConfig | undefined> {
  const here = CONFIG_FILE_NAMES.some((name) => existsSync(join(cwd, name)));
  if (file === undefined && !here) return undefined;
  const { loadConfig } = await import("../../runtime/config/load-config.ts");
  return loadConfig(file, cwd);
}
