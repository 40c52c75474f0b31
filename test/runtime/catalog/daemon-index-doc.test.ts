import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";
import { describe, expect, it } from "vitest";
import { CATALOGS, type Catalog } from "../../../machines/catalog/catalog.ts";
import {
  DAEMON_INDEX_DOC_FILE,
  daemonIndexDoc,
} from "../../../runtime/catalog/daemon-index-doc.ts";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const file = join(repoRoot, DAEMON_INDEX_DOC_FILE);
const catalog = CATALOGS.ringrift;

describe("docs/DAEMON_INDEX.md", () => {
  it("is what scripts/write-daemon-index.ts writes from the catalog (run `npm run docs:index`)", () => {
    expect(existsSync(file), `${DAEMON_INDEX_DOC_FILE} is missing`).toBe(true);
    const committed = readFileSync(file, "utf8");
    expect(
      committed === daemonIndexDoc(catalog),
      `${DAEMON_INDEX_DOC_FILE} differs from the catalog: run \`npm run docs:index\``,
    ).toBe(true);
  });

  it("is already as prettier formats it, so `prettier --check .` passes", async () => {
    const text = daemonIndexDoc(catalog);
    const options = await resolveConfig(file);
    expect(await format(text, { ...options, filepath: file })).toBe(text);
  });

  it("has a table row for every daemon and a section for every category and profile", () => {
    const text = daemonIndexDoc(catalog);
    for (const entry of catalog.entries) {
      expect(text).toContain(`| ${entry.title} `);
      expect(text).toContain(`| \`${entry.name}\` `);
    }
    for (const category of catalog.categories) expect(text).toContain(`\n### ${category}\n`);
    for (const profile of catalog.profiles) expect(text).toContain(`\n### ${profile.name}\n`);
    expect(text).toMatch(/\| `HEALTH_CHECK` +\| `NODE_HEALTH_MONITOR` +\| Q2 2026 \|/);
  });

  it("follows the catalog: a changed entry changes the document", () => {
    const changed: Catalog = {
      ...catalog,
      entries: catalog.entries.map((entry) =>
        entry.name === "DATA_SERVER" ? { ...entry, description: "HTTP server, changed" } : entry,
      ),
    };
    expect(daemonIndexDoc(changed)).toContain("HTTP server, changed");
    expect(daemonIndexDoc(changed)).not.toBe(daemonIndexDoc(catalog));
  });
});
