/**
 * docs/DAEMON_INDEX.md, generated from a catalog (SPEC §6: "docs/DAEMON_INDEX.md is generated from
 * the catalog"): its categories and daemon tables, the dependency graph, the profiles with why each
 * member is there, and the deprecations. The text is plain string building, already in the form
 * prettier gives Markdown (tables padded), so that `prettier --check` leaves the file alone.
 *
 * scripts/write-daemon-index.ts writes the file (`npm run docs:index`);
 * test/runtime/catalog/daemon-index-doc.test.ts fails while the committed file differs.
 */
import {
  catalogGraph,
  entriesByCategory,
  type Catalog,
  type CatalogEntry,
  type CatalogProfile,
} from "../../machines/catalog/catalog.ts";
import { profileMembers, profilesOf } from "../../machines/catalog/profile-members.ts";

/** Where the generated document lives, relative to the repository root. */
export const DAEMON_INDEX_DOC_FILE = "docs/DAEMON_INDEX.md";

/** A daemon type as the document writes it: in a code span. */
const code = (name: string): string => `\`${name}\``;

/** A list of daemon types, or "None" as the index writes an empty one. */
const names = (list: readonly string[]): string =>
  list.length === 0 ? "None" : list.map(code).join(", ");

/** A Markdown table with every column padded to its widest cell, as prettier lays it out. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const escaped = rows.map((row) => row.map((cell) => cell.replaceAll("|", "\\|")));
  const widths = header.map((title, i) =>
    Math.max(3, title.length, ...escaped.map((row) => row[i]!.length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...escaped.map(line)];
}

/** The top of the document: what it is and where it comes from. */
function overview(catalog: Catalog): string[] {
  const bySource = (source: string) => catalog.entries.filter((e) => e.source === source).length;
  return [
    `<!-- Generated from machines/catalog/ by scripts/write-daemon-index.ts (npm run docs:index). Do not edit. -->`,
    "",
    "# Daemon Index",
    "",
    `The built-in \`${catalog.name}\` catalog (\`catalog: "${catalog.name}"\` in a configuration): ` +
      `${catalog.entries.length} daemon types in ${catalog.categories.length} categories, and ` +
      `${catalog.profiles.length} profiles. ${bySource("index")} come from the daemon index ` +
      `(${catalog.sources[0]}) and ${bySource("adr-002")} from ADR-002 alone ` +
      `(${catalog.sources[1]}). docs/catalog.md explains the choices and what was inferred.`,
    "",
    "A catalog daemon runs once the configuration binds it to a module, a command or a Python " +
      "class; a profile starts its members and everything they depend on.",
    "",
    "## Categories",
    "",
    ...table(
      ["Category", "Daemons", "Source"],
      entriesByCategory(catalog).map(({ category, entries }) => [
        `[${category}](#${anchor(category)})`,
        String(entries.length),
        entries[0]?.source === "adr-002" ? "ADR-002" : "daemon index",
      ]),
    ),
  ];
}

/** GitHub's anchor of a heading: lower case, punctuation gone, spaces to dashes. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, "")
    .replaceAll(" ", "-");
}

/** One table per category, as the index lays them out, plus the profiles column. */
function daemonTables(catalog: Catalog): string[] {
  return entriesByCategory(catalog).flatMap(({ category, entries }) => [
    "",
    `### ${category}`,
    "",
    ...table(
      ["Daemon", "Type", "Dependencies", "Description", "Profiles"],
      entries.map((entry) => [
        entry.title,
        code(entry.name),
        entry.dependsOn.length === 0 ? "None" : entry.dependsOn.join(", "),
        entry.description,
        profilesOf(entry.name, catalog).join(", ") || "-",
      ]),
    ),
  ]);
}

/** Each daemon's depth in the graph: 0 without dependencies, else one more than its deepest. */
function levels(catalog: Catalog): Map<string, number> {
  const graph = catalogGraph(catalog);
  const level = new Map<string, number>();
  const depth = (name: string): number => {
    const known = level.get(name);
    if (known !== undefined) return known;
    const own = Math.max(-1, ...(graph.get(name) ?? []).map(depth)) + 1;
    level.set(name, own);
    return own;
  };
  for (const entry of catalog.entries) depth(entry.name);
  return level;
}

/** The graph as start levels and as who depends on whom. */
function dependencies(catalog: Catalog): string[] {
  const level = levels(catalog);
  const deepest = Math.max(0, ...level.values());
  const startLevels = Array.from({ length: deepest + 1 }, (_, n) => {
    const at = catalog.entries.filter((entry) => level.get(entry.name) === n);
    return `- Level ${n} (${at.length}): ${names(at.map((entry) => entry.name))}`;
  });
  const dependents = catalog.entries
    .map((entry) => ({
      name: entry.name,
      by: catalog.entries.filter((other) => other.dependsOn.includes(entry.name)),
    }))
    .filter(({ by }) => by.length > 0);
  return [
    "",
    "## Dependencies",
    "",
    "A daemon starts once everything it depends on is RUNNING, so daemons start level by level " +
      "(level 0 depends on nothing; a daemon is one level above its deepest dependency), and " +
      "those of one level in parallel.",
    "",
    ...startLevels,
    "",
    "What each dependency is needed by:",
    "",
    ...table(
      ["Dependency", "Dependents", "Daemons that depend on it"],
      dependents.map(({ name, by }) => [
        code(name),
        String(by.length),
        names(by.map((e) => e.name)),
      ]),
    ),
  ];
}

/** True when a profile is defined as "every daemon but": members and exclusions cover all. */
function isSetProfile(profile: CatalogProfile, entries: readonly CatalogEntry[]): boolean {
  return profile.members.length + profile.excluded.length === entries.length;
}

/** One profile: the role, the members with their reasons, what was left out, the start order. */
function profileSection(catalog: Catalog, profile: CatalogProfile): string[] {
  const starts = profileMembers(profile.name, catalog);
  const chosen = new Set(profile.members.map((member) => member.daemon));
  const added = starts.filter((name) => !chosen.has(name));
  const whole = isSetProfile(profile, catalog.entries);
  const membersPart = whole
    ? [
        `All ${profile.members.length} daemons of the catalog but the ` +
          `${profile.excluded.length} below, each because ${profile.members[0]?.reason ?? "-"}.`,
      ]
    : table(
        ["Member", "Why"],
        profile.members.map((member) => [code(member.daemon), member.reason]),
      );
  const excludedPart =
    profile.excluded.length === 0
      ? []
      : [
          "",
          whole ? "Left out:" : "Not members:",
          "",
          ...table(
            ["Type", "Why"],
            profile.excluded.map((member) => [code(member.daemon), member.reason]),
          ),
        ];
  return [
    "",
    `### ${profile.name}`,
    "",
    `> ${profile.role}`,
    "",
    `Source: ${profile.source}.`,
    "",
    ...membersPart,
    ...excludedPart,
    "",
    `Starts ${starts.length} daemons, dependencies first` +
      (added.length > 0 ? ` (pulled in as dependencies: ${names(added)})` : "") +
      `: ${names(starts)}.`,
  ];
}

/** The profiles, then the deprecations. */
function profilesAndDeprecations(catalog: Catalog): string[] {
  const deprecated = catalog.entries.filter((entry) => entry.deprecated !== null);
  return [
    "",
    "## Profiles",
    "",
    "`warden up --profile <name>` starts a profile: its members and what they depend on.",
    ...catalog.profiles.flatMap((profile) => profileSection(catalog, profile)),
    "",
    "## Deprecated Daemons",
    "",
    "A deprecated daemon still starts, with a warning naming its replacement.",
    "",
    ...table(
      ["Daemon", "Replacement", "Removal"],
      deprecated.map((entry) => [
        code(entry.name),
        code(entry.deprecated!.replacement),
        entry.deprecated!.removal,
      ]),
    ),
  ];
}

/**
 * The text of docs/DAEMON_INDEX.md for a catalog.
 *
 * @example
 * writeFileSync(DAEMON_INDEX_DOC_FILE, daemonIndexDoc(CATALOGS.ringrift));
 */
export function daemonIndexDoc(catalog: Catalog): string {
  return [
    ...overview(catalog),
    "",
    "## Daemons",
    ...daemonTables(catalog),
    ...dependencies(catalog),
    ...profilesAndDeprecations(catalog),
    "",
  ].join("\n");
}
