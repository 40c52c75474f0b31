// Writes schema/warden.config.schema.json, the JSON Schema that editors read through `$schema`
// (a `.json` configuration) or `# yaml-language-server: $schema=...` (a `.yaml` one), from
// configJsonSchema() in runtime/config/schema.ts. Run it after changing the schema:
//
//   npx tsx scripts/write-schema.ts
//
// test/scripts/write-schema.test.ts fails while the committed file differs from what it writes.
import { schemaFilePath, schemaFileText } from "./schema-file.ts";
import { writeIfChanged } from "./write-if-changed.ts";

const text = await schemaFileText();
writeIfChanged(schemaFilePath, text);
