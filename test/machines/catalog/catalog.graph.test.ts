import { describe, expect, it } from "vitest";
import {
  CATALOGS,
  catalogEntry,
  catalogGraph,
  catalogProfile,
  entriesByCategory,
  isCatalogName,
} from "../../../machines/catalog/catalog.ts";
import { findCycle, missingDependencies } from "../../../machines/dependency-graph.ts";

const catalog = CATALOGS.ringrift;

describe("the ringrift catalog as a graph", () => {
  it("holds 63 daemon types, each once", () => {
    expect(catalog.entries).toHaveLength(63);
    expect(new Set(catalog.entries.map((entry) => entry.name)).size).toBe(63);
  });

  it("has every dependsOn name a daemon of the catalog", () => {
    expect(missingDependencies(catalogGraph(catalog))).toEqual([]);
  });

  it("has no dependency cycle", () => {
    expect(findCycle(catalogGraph(catalog))).toBeUndefined();
  });

  it("names a catalog daemon as each deprecated daemon's replacement", () => {
    for (const entry of catalog.entries) {
      if (entry.deprecated === null) continue;
      const replacement = catalogEntry(entry.deprecated.replacement, catalog);
      expect(replacement?.deprecated, entry.name).toBeNull();
    }
  });

  it("groups the entries by category, in the catalog's category order, none empty", () => {
    const groups = entriesByCategory(catalog);
    expect(groups.flatMap((group) => group.entries)).toEqual(catalog.entries);
    expect(groups.every((group) => group.entries.length > 0)).toBe(true);
    expect(new Set(catalog.categories).size).toBe(catalog.categories.length);
  });

  it("has profile members and exclusions that are catalog daemons, each listed once", () => {
    for (const profile of catalog.profiles) {
      const listed = [...profile.members, ...profile.excluded].map((member) => member.daemon);
      expect(new Set(listed).size, profile.name).toBe(listed.length);
      for (const name of listed) expect(catalogEntry(name, catalog), name).toBeDefined();
      for (const member of [...profile.members, ...profile.excluded]) {
        expect(member.reason.length, `${profile.name}: ${member.daemon}`).toBeGreaterThan(0);
      }
    }
  });

  it("cannot be changed by a caller", () => {
    const entry = catalogEntry("EVENT_ROUTER")!;
    expect(Object.isFrozen(entry)).toBe(true);
    expect(Object.isFrozen(entry.dependsOn)).toBe(true);
    expect(Object.isFrozen(catalog.entries)).toBe(true);
    expect(Object.isFrozen(catalog.profiles[0]!.members)).toBe(true);
  });
});

describe("lookups", () => {
  it("finds an entry by name, in the ringrift catalog unless told otherwise", () => {
    expect(catalogEntry("EVENT_ROUTER")).toMatchObject({
      title: "Event Router",
      category: "Core Infrastructure",
    });
    expect(catalogEntry("SYNC_COORDINATOR", catalog)?.deprecated).toEqual({
      replacement: "AUTO_SYNC",
      removal: "Q2 2026",
    });
    expect(catalogEntry("NO_SUCH_DAEMON")).toBeUndefined();
  });

  it("finds a profile by name", () => {
    expect(catalogProfile("ephemeral")?.role).toBe("Aggressive sync for Vast.ai nodes");
    expect(catalogProfile("gpu")).toBeUndefined();
  });

  it("knows the built-in catalog names", () => {
    expect(isCatalogName("ringrift")).toBe(true);
    expect(isCatalogName("ringrif")).toBe(false);
    expect(isCatalogName("toString")).toBe(false);
  });
});
