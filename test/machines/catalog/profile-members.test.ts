import { describe, expect, it } from "vitest";
import { CATALOGS, catalogGraph, catalogProfile } from "../../../machines/catalog/catalog.ts";
import {
  catalogClosure,
  profileMembers,
  profilesOf,
} from "../../../machines/catalog/profile-members.ts";
import { isWardenError } from "../../../machines/errors.ts";
import { adrText, indexDeprecations, indexRows, indexText, plainText } from "./source-documents.ts";

const catalog = CATALOGS.ringrift;
const graph = catalogGraph(catalog);
const chosen = (profile: string) => catalogProfile(profile)!.members.map((member) => member.daemon);

/** The code of what `run` throws, or undefined. */
function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isWardenError(error) ? error.code : "not a WardenError";
  }
  return undefined;
}

describe("profileMembers", () => {
  it.each(catalog.profiles.map((profile) => profile.name))(
    "%s: holds its members and every dependency of each, each once, dependencies first",
    (profile) => {
      const members = profileMembers(profile, catalog);
      expect(new Set(members).size).toBe(members.length);
      for (const name of chosen(profile)) expect(members).toContain(name);
      members.forEach((name, at) => {
        for (const dep of graph.get(name)!) {
          expect(members.indexOf(dep), `${profile}: ${dep} before ${name}`).toBeGreaterThanOrEqual(
            0,
          );
          expect(members.indexOf(dep), `${profile}: ${dep} before ${name}`).toBeLessThan(at);
        }
      });
    },
  );

  it("production is the index's start_production_daemons() set: every row not deprecated, not a stub, not for ephemeral hosts", () => {
    const deprecated = indexDeprecations(indexText());
    const recommended = indexRows(indexText())
      .filter((row) => !deprecated.has(row.type))
      .filter((row) => !row.description.includes("(stub)"))
      .filter((row) => !row.description.includes("ephemeral hosts"))
      .map((row) => row.type);
    expect(recommended).toHaveLength(55);
    expect(chosen("production")).toEqual(recommended);
    expect(new Set(profileMembers("production", catalog))).toEqual(new Set(recommended));
  });

  it("coordinator is the full set: every daemon but the deprecated and the ephemeral hosts' sync", () => {
    const members = new Set(profileMembers("coordinator", catalog));
    const left = catalog.entries.map((entry) => entry.name).filter((name) => !members.has(name));
    expect(left).toEqual(["SYNC_COORDINATOR", "EPHEMERAL_SYNC", "HEALTH_CHECK"]);
    expect(members).toContain("CROSS_PROCESS_POLLER");
    expect(members).toContain("DLQ_RETRY");
  });

  it("the named profiles start what docs/catalog.md lists", () => {
    expect(profileMembers("training_node", catalog)).toEqual([
      "EVENT_ROUTER",
      "AUTO_SYNC",
      "CONTINUOUS_TRAINING_LOOP",
      "AUTO_EXPORT",
      "DATA_PIPELINE",
      "CURRICULUM_INTEGRATION",
      "GAUNTLET_FEEDBACK",
      "TRAINING_COORDINATOR",
      "TRAINING_TRIGGER",
    ]);
    expect(profileMembers("selfplay", catalog)).toEqual([
      "EVENT_ROUTER",
      "AUTO_SYNC",
      "IDLE_RESOURCE",
    ]);
    expect(profileMembers("ephemeral", catalog)).toEqual(["EVENT_ROUTER", "EPHEMERAL_SYNC"]);
  });

  it("no profile starts a deprecated daemon", () => {
    for (const profile of catalog.profiles) {
      for (const name of profileMembers(profile.name, catalog)) {
        expect(catalog.entries.find((entry) => entry.name === name)!.deprecated, name).toBeNull();
      }
    }
  });

  it("defines coordinator and production as the complement of their exclusions", () => {
    for (const name of ["coordinator", "production"]) {
      const profile = catalogProfile(name)!;
      const listed = [...profile.members, ...profile.excluded].map((member) => member.daemon);
      expect(new Set(listed)).toEqual(new Set(catalog.entries.map((entry) => entry.name)));
    }
  });

  it("quotes the documents word for word where a reason quotes them", () => {
    const documents = plainText(`${indexText()}\n${adrText()}`);
    for (const profile of catalog.profiles) {
      for (const { daemon, reason } of [...profile.members, ...profile.excluded]) {
        for (const [, quoted] of reason.matchAll(/"([^"]+)"/g)) {
          expect(documents, `${profile.name}: ${daemon}: "${quoted}"`).toContain(quoted);
        }
      }
    }
  });

  it("refuses an unknown profile with WARDEN_ERR_UNKNOWN_PROFILE, naming the closest", () => {
    expect(codeOf(() => profileMembers("trainingnode", catalog))).toBe(
      "WARDEN_ERR_UNKNOWN_PROFILE",
    );
    expect(() => profileMembers("trainingnode", catalog)).toThrow(/did you mean "training_node"/);
  });
});

describe("catalogClosure", () => {
  it("pulls in dependencies transitively, dependencies first", () => {
    expect(catalogClosure(["S3_BACKUP"], catalog)).toEqual([
      "EVENT_ROUTER",
      "MODEL_DISTRIBUTION",
      "S3_BACKUP",
    ]);
    expect(catalogClosure(["QUEUE_POPULATOR", "QUEUE_POPULATOR"], catalog)).toEqual([
      "EVENT_ROUTER",
      "SELFPLAY_COORDINATOR",
      "QUEUE_POPULATOR",
    ]);
    expect(catalogClosure([], catalog)).toEqual([]);
  });

  it("refuses a name outside the catalog with WARDEN_ERR_UNKNOWN_DAEMON", () => {
    expect(codeOf(() => catalogClosure(["AUTO_SYNK"], catalog))).toBe("WARDEN_ERR_UNKNOWN_DAEMON");
    expect(() => catalogClosure(["AUTO_SYNK"], catalog)).toThrow(/did you mean "AUTO_SYNC"/);
  });
});

describe("profilesOf", () => {
  it("names the profiles that start a daemon, as member or dependency", () => {
    expect(profilesOf("EVENT_ROUTER", catalog)).toEqual(
      catalog.profiles.map((profile) => profile.name),
    );
    expect(profilesOf("EPHEMERAL_SYNC", catalog)).toEqual(["ephemeral"]);
    expect(profilesOf("SYNC_COORDINATOR", catalog)).toEqual([]);
    expect(profilesOf("VAST_CPU_PIPELINE", catalog)).toEqual(["coordinator"]);
  });
});
