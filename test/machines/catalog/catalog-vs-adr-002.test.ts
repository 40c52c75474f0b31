/**
 * The "ringrift" catalog against ADR-002 (docs/sources/adr-002-daemon-lifecycle.md): every daemon
 * type ADR-002 names is in the catalog, the three the index lacks hold what ADR-002 says of them
 * (and what docs/catalog.md says was inferred), and its profiles are the catalog's.
 */
import { describe, expect, it } from "vitest";
import { CATALOGS } from "../../../machines/catalog/catalog.ts";
import { adrCategories, adrProfiles, adrText, indexRows, indexText } from "./source-documents.ts";

const catalog = CATALOGS.ringrift;
const categories = adrCategories(adrText());
const indexTypes = new Set(indexRows(indexText()).map((row) => row.type));

describe("the ringrift catalog against ADR-002", () => {
  it("parses ADR-002's five categories of daemon types", () => {
    expect(categories.map((group) => group.category)).toEqual([
      "Core",
      "Data",
      "Training",
      "Distribution",
      "Monitoring",
    ]);
  });

  it("holds every daemon type ADR-002 names", () => {
    const names = new Set(catalog.entries.map((entry) => entry.name));
    for (const { types } of categories) for (const type of types) expect(names).toContain(type);
  });

  it("holds exactly HEALTH_MONITOR, SYNC_BANDWIDTH and TRAINING_COORDINATOR from ADR-002 alone", () => {
    const adrOnly = categories.flatMap(({ types }) => types).filter((t) => !indexTypes.has(t));
    expect(adrOnly.sort()).toEqual(["HEALTH_MONITOR", "SYNC_BANDWIDTH", "TRAINING_COORDINATOR"]);
    const marked = catalog.entries.filter((entry) => entry.source === "adr-002");
    expect(marked.map((entry) => entry.name).sort()).toEqual(adrOnly.sort());
  });

  it("files each ADR-only daemon under ADR-002's own category, after the index's", () => {
    for (const { category, types } of categories) {
      for (const type of types.filter((t) => !indexTypes.has(t))) {
        const entry = catalog.entries.find((candidate) => candidate.name === type);
        expect(entry?.category, type).toBe(category);
      }
    }
    expect(catalog.categories.slice(-3)).toEqual(["Data", "Training", "Monitoring"]);
    expect(catalog.entries.slice(-3).map((entry) => entry.source)).toEqual(
      Array(3).fill("adr-002"),
    );
  });

  it("gives them what ADR-002 says and the documented inferences: EVENT_ROUTER, no deprecation", () => {
    const text = adrText();
    // What the inferences rest on (docs/catalog.md): ADR-001 "daemons use events", and the one
    // depends_on example of ADR-002, EVENT_ROUTER for its Training peer GAUNTLET_FEEDBACK.
    expect(text).toContain("ADR-001: Event-Driven Architecture (daemons use events)");
    expect(text).toContain("depends_on=[DaemonType.EVENT_ROUTER]");
    expect(
      catalog.entries
        .filter((entry) => entry.source === "adr-002")
        .map(({ name, title, dependsOn, deprecated }) => ({ name, title, dependsOn, deprecated })),
    ).toEqual([
      {
        name: "SYNC_BANDWIDTH",
        title: "Sync Bandwidth",
        dependsOn: ["EVENT_ROUTER"],
        deprecated: null,
      },
      {
        name: "TRAINING_COORDINATOR",
        title: "Training Coordinator",
        dependsOn: ["EVENT_ROUTER"],
        deprecated: null,
      },
      {
        name: "HEALTH_MONITOR",
        title: "Health Monitor",
        dependsOn: ["EVENT_ROUTER"],
        deprecated: null,
      },
    ]);
  });

  it("describes each ADR-only daemon by the kind ADR-002's context names, saying where it is from", () => {
    const kinds: Record<string, string> = {
      SYNC_BANDWIDTH: "Data sync daemons",
      TRAINING_COORDINATOR: "Training coordinators",
      HEALTH_MONITOR: "Health monitors",
    };
    for (const [name, kind] of Object.entries(kinds)) {
      expect(adrText()).toContain(`- ${kind}\n`);
      const description = catalog.entries.find((entry) => entry.name === name)!.description;
      expect(description.toLowerCase()).toContain(kind.toLowerCase().replace(/s$/, ""));
      expect(description).toContain("named only in ADR-002");
    }
  });

  it("has ADR-002's four profiles, each with its role as ADR-002 words it, and production", () => {
    const profiles = adrProfiles(adrText());
    expect(profiles.map((profile) => profile.name)).toEqual([
      "coordinator",
      "training_node",
      "selfplay",
      "ephemeral",
    ]);
    expect(catalog.profiles.map(({ name, role }) => ({ name, role }))).toEqual([
      ...profiles,
      { name: "production", role: "Start recommended production set" },
    ]);
    expect(indexText()).toContain("# Start recommended production set\n");
  });
});
