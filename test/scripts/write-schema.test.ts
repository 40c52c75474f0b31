import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_SCHEMA_REF } from "../../cli/commands/init-project.ts";
import { configJsonSchema, configSchema } from "../../runtime/config/schema.ts";
import { SCHEMA_FILE } from "../../runtime/config/schema-file.ts";
import { schemaFilePath, schemaFileText } from "../../scripts/schema-file.ts";
import { repoRoot } from "../support/run-warden.ts";

describe("schema/warden.config.schema.json", () => {
  it("is what scripts/write-schema.ts writes from configJsonSchema() (run it after changing the schema)", async () => {
    expect(existsSync(schemaFilePath), `${SCHEMA_FILE} is missing`).toBe(true);
    const committed = readFileSync(schemaFilePath, "utf8");
    const fresh = await schemaFileText();
    expect(
      committed === fresh,
      `${SCHEMA_FILE} differs from configJsonSchema(): run \`npx tsx scripts/write-schema.ts\``,
    ).toBe(true);
    expect(JSON.parse(committed)).toEqual(configJsonSchema());
  });

  it("is the file `warden init` points $schema at, in an installed package", () => {
    expect(schemaFilePath.endsWith(SCHEMA_FILE)).toBe(true);
    expect(DEFAULT_SCHEMA_REF).toBe(`./node_modules/warden/${SCHEMA_FILE}`);
  });

  it("ships in the npm package, where `warden init` points $schema", () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
    if (pkg.files === undefined) return; // everything not ignored ships
    const [folder] = SCHEMA_FILE.split("/");
    expect(pkg.files, `package.json "files" must list "${folder}"`).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(`^(\\./)?${folder}(/|$)`))]),
    );
  });

  it("lets a configuration carry its $schema reference", () => {
    const schema = JSON.parse(readFileSync(schemaFilePath, "utf8"));
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.$schema).toMatchObject({ type: "string" });
    const config = { $schema: DEFAULT_SCHEMA_REF, daemons: { a: { command: "sleep" } } };
    expect(configSchema.safeParse(config).success).toBe(true);
  });
});
