/**
 * What `warden simulate` runs: `--config F`, or `--catalog NAME` (the built-in catalog alone), or
 * without either the configuration in the current folder if there is one, else the ringrift
 * catalog — the demo of SPEC §12.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { WardenError } from "../../machines/errors.ts";
import { CONFIG_FILE_NAMES } from "../config/config-file.ts";
import { loadConfig } from "../config/load-config.ts";
import type { WardenConfig } from "../config/types.ts";
import { validateConfig } from "../config/validate-config.ts";

export interface SimulationSource {
  config: WardenConfig;
  /** For the log's header: the catalog, or the configuration file as given. */
  catalog?: string;
  file?: string;
}

/**
 * The configuration to simulate.
 *
 * @example
 * (await simulationSource({ catalog: "ringrift" }, process.cwd())).config.catalog; // "ringrift"
 */
export async function simulationSource(
  options: { config?: string; catalog?: string },
  cwd: string,
): Promise<SimulationSource> {
  if (options.config !== undefined && options.catalog !== undefined) {
    throw new WardenError("WARDEN_ERR_USAGE", "choose one of --config and --catalog");
  }
  if (options.config !== undefined) {
    return { config: (await loadConfig(options.config, cwd)).config, file: options.config };
  }
  const here = CONFIG_FILE_NAMES.find((name) => existsSync(join(cwd, name)));
  if (options.catalog === undefined && here !== undefined) {
    return { config: (await loadConfig(here, cwd)).config, file: here };
  }
  const catalog = options.catalog ?? "ringrift";
  const config = validateConfig({ catalog, daemons: {} }, `--catalog ${catalog}`);
  return { config, catalog };
}
