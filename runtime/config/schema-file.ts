/**
 * Where the JSON Schema of a configuration file (`configJsonSchema()`) sits inside the warden
 * package, for editors: `scripts/write-schema.ts` writes it, `warden init` points `$schema` at
 * it, and a test fails when it differs from what `configJsonSchema()` gives.
 *
 * @example
 * join("node_modules/warden", SCHEMA_FILE); // "node_modules/warden/schema/warden.config.schema.json"
 */
export const SCHEMA_FILE = "schema/warden.config.schema.json";
