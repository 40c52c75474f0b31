/**
 * The "ringrift" catalog against the daemon index itself (docs/sources/daemon-index.md, a
 * byte-for-byte copy of the source document): the document is parsed table by table, and every
 * row must be a catalog entry with the same title, type, category, dependencies and description,
 * in the same order, so that a missing, extra or altered row fails.
 */
import { describe, expect, it } from "vitest";
import { DAEMON_INDEX } from "../../../bench/daemon-index-graph.ts";
import { CATALOGS } from "../../../machines/catalog/catalog.ts";
import { indexDeprecations, indexRows, indexText, plainText } from "./source-documents.ts";

const catalog = CATALOGS.ringrift;
const rows = indexRows(indexText());
const deprecations = indexDeprecations(indexText());
const fromIndex = catalog.entries.filter((entry) => entry.source === "index");
const headings = [...new Set(rows.map((row) => row.category))];

/** A row as the catalog must hold it. */
const expectedEntry = (row: (typeof rows)[number]) => ({
  name: row.type,
  title: row.title,
  category: row.category,
  description: plainText(row.description),
  dependsOn: row.dependencies,
  deprecated: deprecations.get(row.type) ?? null,
  source: "index",
});

describe("the daemon index as parsed", () => {
  it("has the 10 category tables and 60 rows the documents describe", () => {
    expect(headings).toHaveLength(10);
    expect(rows).toHaveLength(60);
    expect(new Set(rows.map((row) => row.type)).size).toBe(60);
  });
});

describe("the ringrift catalog against the daemon index", () => {
  it.each(headings)("holds the %s table row by row", (heading) => {
    const inCatalog = fromIndex.filter((entry) => entry.category === heading);
    const inDocument = rows.filter((row) => row.category === heading).map(expectedEntry);
    expect(inCatalog).toEqual(inDocument);
  });

  it("holds every row of the index, and nothing else from it, in the document's order", () => {
    expect(fromIndex).toEqual(rows.map(expectedEntry));
    expect(catalog.entries.slice(0, rows.length)).toEqual(fromIndex);
  });

  it("lists the index's section headings first, in the document's order", () => {
    expect(catalog.categories.slice(0, headings.length)).toEqual(headings);
  });

  it("marks as deprecated exactly the daemons of the Deprecated Daemons table", () => {
    const deprecated = catalog.entries.filter((entry) => entry.deprecated !== null);
    expect(Object.fromEntries(deprecated.map((entry) => [entry.name, entry.deprecated]))).toEqual(
      Object.fromEntries(deprecations),
    );
    for (const [type, { replacement }] of deprecations) {
      const row = rows.find((candidate) => candidate.type === type);
      // The table's own text agrees: "_Deprecated_ - Use AUTO_SYNC instead".
      expect(row?.description).toMatch(new RegExp(`^_Deprecated_ - Use ${replacement}\\b`));
    }
  });

  it("drops only Markdown emphasis from descriptions", () => {
    const changed = rows.filter((row) => plainText(row.description) !== row.description);
    expect(changed.map((row) => row.type)).toEqual(["SYNC_COORDINATOR", "HEALTH_CHECK"]);
    for (const entry of catalog.entries)
      expect(plainText(entry.description)).toBe(entry.description);
    expect(plainText("_Deprecated_ - Use NODE_HEALTH_MONITOR")).toBe(
      "Deprecated - Use NODE_HEALTH_MONITOR",
    );
  });

  it("is what the benchmarks start (bench/daemon-index-graph.ts)", () => {
    expect(DAEMON_INDEX).toEqual(
      rows.map((row) => ({
        daemon: row.title,
        type: row.type,
        dependencies: row.dependencies,
        description: plainText(row.description),
      })),
    );
  });
});
