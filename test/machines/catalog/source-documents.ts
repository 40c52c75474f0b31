/**
 * Readers of the two source documents as the repository holds them (docs/sources/), written
 * independently of the catalog so that tests compare the catalog with the documents themselves.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const INDEX_FILE = fileURLToPath(
  new URL("../../../docs/sources/daemon-index.md", import.meta.url),
);
export const ADR_FILE = fileURLToPath(
  new URL("../../../docs/sources/adr-002-daemon-lifecycle.md", import.meta.url),
);

/** One row of a daemon table of the index, its cells as written (Markdown and all). */
export interface IndexRow {
  /** The `### ` heading above the table. */
  category: string;
  /** The "Daemon" column. */
  title: string;
  /** The "Type" column without its backticks. */
  type: string;
  /** The "Dependencies" column split at commas; "None" is empty. */
  dependencies: string[];
  /** The "Description" column as written, emphasis included. */
  description: string;
}

/**
 * Text without Markdown emphasis (`_x_`, `*x*`, `__x__`, `**x**`) or code spans. An underscore
 * inside a word is no emphasis (CommonMark): NODE_HEALTH_MONITOR stays as it is.
 */
export function plainText(markdown: string): string {
  return markdown
    .replace(/\*\*(\S(?:.*?\S)?)\*\*/g, "$1")
    .replace(/\*(\S(?:.*?\S)?)\*/g, "$1")
    .replace(/(^|\W)(__?)(\S(?:.*?\S)?)\2(?!\w)/g, "$1$3")
    .replace(/`([^`]*)`/g, "$1");
}

/** The lines of the section under that heading (`## ` for level 2), without the heading. */
export function section(markdown: string, title: string, level = 2): string[] {
  const lines = markdown.split("\n");
  const marker = `${"#".repeat(level)} `;
  const start = lines.indexOf(`${marker}${title}`);
  if (start < 0) throw new Error(`no "${marker}${title}" heading`);
  const rest = lines.slice(start + 1);
  let fenced = false;
  const end = rest.findIndex((line) => {
    if (line.startsWith("```")) fenced = !fenced;
    // A heading of this level or above ends the section; "# comment" in a code block does not.
    return !fenced && /^#{1,6} /.test(line) && line.indexOf(" ") <= level;
  });
  return end < 0 ? rest : rest.slice(0, end);
}

/** The rows of the Markdown table starting at `lines[0]`, by header name. */
export function tableRows(lines: readonly string[]): Record<string, string>[] {
  const table = lines.filter((line) => line.startsWith("|"));
  const cells = (line: string) =>
    line
      .slice(1, line.lastIndexOf("|"))
      .split("|")
      .map((cell) => cell.trim());
  const [header, separator, ...body] = table;
  if (header === undefined || separator === undefined || !/^\|[\s|:-]+\|$/.test(separator)) {
    throw new Error(`not a Markdown table: ${lines[0]}`);
  }
  const names = cells(header);
  return body.map((line) => {
    const row = cells(line);
    if (row.length !== names.length) throw new Error(`row of ${row.length} cells: ${line}`);
    return Object.fromEntries(names.map((name, i) => [name, row[i]!]));
  });
}

/** Every row of every table under "## Daemon Categories", in document order. */
export function indexRows(markdown: string): IndexRow[] {
  const rows: IndexRow[] = [];
  const lines = section(markdown, "Daemon Categories");
  const headings = lines.flatMap((line, i) => (line.startsWith("### ") ? [i] : []));
  headings.forEach((at, n) => {
    const category = lines[at]!.slice(4).trim();
    const body = lines.slice(at + 1, headings[n + 1] ?? lines.length);
    for (const row of tableRows(body)) {
      const dependencies = row.Dependencies!;
      rows.push({
        category,
        title: row.Daemon!,
        type: row.Type!.replace(/^`(.*)`$/, "$1"),
        dependencies: dependencies === "None" ? [] : dependencies.split(",").map((d) => d.trim()),
        description: row.Description!,
      });
    }
  });
  return rows;
}

/** The "Deprecated Daemons" table: type → { replacement, removal }. */
export function indexDeprecations(
  markdown: string,
): Map<string, { replacement: string; removal: string }> {
  return new Map(
    tableRows(section(markdown, "Deprecated Daemons")).map((row) => [
      plainText(row.Daemon!),
      { replacement: plainText(row.Replacement!), removal: row.Removal! },
    ]),
  );
}

/** ADR-002's "66 daemon types organized by category" list: category → types, in its order. */
export function adrCategories(markdown: string): { category: string; types: string[] }[] {
  return section(markdown, "DaemonType Enum", 3)
    .filter((line) => line.startsWith("- "))
    .map((line) => {
      const [category, list] = line.slice(2).split(": ");
      return {
        category: category!,
        types: [...list!.matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1]!),
      };
    });
}

/** ADR-002's "Daemon Profiles" list: profile → what it says of the role. */
export function adrProfiles(markdown: string): { name: string; role: string }[] {
  return section(markdown, "Daemon Profiles", 3)
    .filter((line) => line.startsWith("- "))
    .map((line) => {
      const match = /^- `([a-z_]+)`: (.+)$/.exec(line);
      if (!match) throw new Error(`not a profile line: ${line}`);
      return { name: match[1]!, role: match[2]! };
    });
}

export const indexText = (): string => readFileSync(INDEX_FILE, "utf8");
export const adrText = (): string => readFileSync(ADR_FILE, "utf8");
