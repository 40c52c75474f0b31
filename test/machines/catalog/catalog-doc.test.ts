/**
 * docs/catalog.md tells each profile's members by hand; this keeps it in step with the data
 * (docs/DAEMON_INDEX.md is generated, so it cannot drift).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CATALOGS } from "../../../machines/catalog/catalog.ts";
import { profileMembers } from "../../../machines/catalog/profile-members.ts";
import { section } from "./source-documents.ts";

const doc = readFileSync(
  fileURLToPath(new URL("../../../docs/catalog.md", import.meta.url)),
  "utf8",
);
const catalog = CATALOGS.ringrift;

describe("docs/catalog.md", () => {
  it.each(catalog.profiles.map((profile) => profile.name))(
    "names every member and every left-out daemon of %s, with the right counts",
    (name) => {
      const profile = catalog.profiles.find((candidate) => candidate.name === name)!;
      const text = section(doc, `\`${name}\``, 3).join("\n");
      const setProfile =
        profile.members.length + profile.excluded.length === catalog.entries.length;
      const named = setProfile ? profile.excluded : [...profile.members, ...profile.excluded];
      for (const { daemon } of named) expect(text, daemon).toContain(`\`${daemon}\``);
      if (setProfile) expect(text).toContain(`(${profile.members.length} members`);
      else expect(text).toContain(`it starts ${profileMembers(name, catalog).length} daemons`);
      expect(text).toContain(`> ${profile.role}`);
    },
  );

  it("states the catalog's count", () => {
    expect(doc).toContain(`## How many daemons: ${catalog.entries.length}`);
  });
});
