import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";
import { configJsonSchema } from "../runtime/config/schema.ts";
import { SCHEMA_FILE } from "../runtime/config/schema-file.ts";

/** The committed JSON Schema file of this checkout: `<repo>/schema/warden.config.schema.json`. */
export const schemaFilePath = join(fileURLToPath(new URL("..", import.meta.url)), SCHEMA_FILE);

/**
 * The text `schema/warden.config.schema.json` must hold: `configJsonSchema()` as JSON, formatted
 * as prettier formats the file (so `prettier --check .` leaves it alone).
 *
 * @example
 * writeFileSync(schemaFilePath, await schemaFileText());
 */
export async function schemaFileText(): Promise<string> {
  const options = await resolveConfig(schemaFilePath);
  return format(JSON.stringify(configJsonSchema(), null, 2), {
    ...options,
    filepath: schemaFilePath,
  });
}
