import { catalogRows, type CatalogRow } from "../../runtime/catalog/catalog-listing.ts";
import { CONFIG_FILE_NAMES } from "../../runtime/config/config-file.ts";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { WardenConfig } from "../../runtime/config/types.ts";
import type { CliIO } from "../io.ts";
import { paint } from "../style.ts";

export interface CatalogOptions {
  config?: string;
  profile?: string;
  json?: boolean;
}

/** The widest DEPENDS ON column before it is cut, and the description's least room. */
const MAX_DEPENDS_WIDTH = 40;
const MIN_DESCRIPTION_WIDTH = 20;

/**
 * `warden catalog [--profile P] [--json]`: the built-in catalog's daemon types (SPEC §6), or one
 * profile's members with their dependencies, each saying whether the configuration (`--config`,
 * or the one in this folder if there is one) binds it. `--json` prints the array of SPEC §6;
 * otherwise a table per category.
 *
 * @example
 * await catalog({ profile: "training_node", json: true }, io);
 */
export async function catalog(options: CatalogOptions, io: CliIO): Promise<void> {
  const config = await configIfAny(options.config, io.cwd);
  const rows = catalogRows(
    config,
    options.profile === undefined ? {} : { profile: options.profile },
  );
  if (options.json === true) {
    io.out(JSON.stringify(rows, null, 2));
    return;
  }
  for (const line of catalogTable(rows, io.color, io.columns?.())) io.out(line);
}

/** The configuration that says what is bound: the one named, or the one here if any. */
async function configIfAny(
  file: string | undefined,
  cwd: string,
): Promise<WardenConfig | undefined> {
  const here = CONFIG_FILE_NAMES.some((name) => existsSync(join(cwd, name)));
  if (file === undefined && !here) return undefined;
  const { loadConfig } = await import("../../runtime/config/load-config.ts");
  return (await loadConfig(file, cwd)).config;
}

/**
 * The table of `warden catalog`: a heading per category, then NAME, BOUND, DEPENDS ON and the
 * description (cut to the terminal's width), a deprecation after it.
 *
 * @example
 * catalogTable(catalogRows(undefined), false, 120)[0]; // "Core Infrastructure"
 */
export function catalogTable(
  rows: readonly CatalogRow[],
  color: boolean,
  columns?: number,
): string[] {
  const nameWidth = Math.max(4, ...rows.map((row) => row.name.length));
  const depends = (row: CatalogRow) => {
    const text = row.dependsOn.join(", ") || "-";
    return text.length > MAX_DEPENDS_WIDTH ? `${text.slice(0, MAX_DEPENDS_WIDTH - 1)}…` : text;
  };
  const dependsWidth = Math.max(10, ...rows.map((row) => depends(row).length));
  const bound = (row: CatalogRow) =>
    row.builtIn ? (row.bound ? "built-in" : "missing") : row.bound ? "yes" : "no";
  const fixed = nameWidth + 2 + 8 + 2 + dependsWidth + 2;
  const room = Math.max(MIN_DESCRIPTION_WIDTH, (columns ?? 120) - fixed);
  const lines: string[] = [];
  let category: string | undefined;
  for (const row of rows) {
    if (row.category !== category) {
      category = row.category;
      if (lines.length > 0) lines.push("");
      lines.push(paint(color, "bold", category));
      lines.push(
        paint(
          color,
          "dim",
          `${"NAME".padEnd(nameWidth)}  ${"BOUND".padEnd(8)}  ${"DEPENDS ON".padEnd(dependsWidth)}  DESCRIPTION`,
        ),
      );
    }
    const note = row.deprecated
      ? ` [deprecated: use ${row.deprecated.replacement}, removal ${row.deprecated.removal}]`
      : "";
    const text = `${row.description}${note}`;
    const description = text.length > room ? `${text.slice(0, room - 1)}…` : text;
    const boundText = bound(row).padEnd(8);
    lines.push(
      `${row.name.padEnd(nameWidth)}  ${row.bound ? paint(color, "green", boundText) : boundText}  ${depends(row).padEnd(dependsWidth)}  ${description}`,
    );
  }
  return lines;
}
