// Writes schema/warden.config.schema.json, the JSON Schema that editors read through `$schema`
// (a `.json` configuration) or `# yaml-language-server: $schema=...` (a `.yaml` one), from
// configJsonSchema() in runtime/config/schema.ts. Run it after changing the schema:
//
//   npx tsx scripts/write-schema.ts
//
// test/scripts/write-schema.test.ts fails while the committed file differs from what it writes.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, relative } from "node:path";
import { schemaFilePath, schemaFileText } from "./schema-file.ts";

const text = await schemaFileText();
let before: string | undefined;
try {
  before = readFileSync(schemaFilePath, "utf8");
} catch {
  before = undefined;
}
const shown = relative(process.cwd(), schemaFilePath) || schemaFilePath;
if (before === text) {
  console.log(`${shown}: up to date`);
} else {
  mkdirSync(dirname(schemaFilePath), { recursive: true });
  writeFileSync(schemaFilePath, text);
  console.log(`${shown}: ${before === undefined ? "written" : "updated"}`);
}
