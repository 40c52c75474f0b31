import type { WardenConfig } from "./types.ts";

/**
 * Returns its argument unchanged: it exists so that a `warden.config.ts` gets types and
 * completion. Validation happens when the file is loaded.
 *
 * @example
 * // warden.config.ts
 * import { defineConfig } from "warden";
 * export default defineConfig({
 *   daemons: { web: { command: "node", args: ["server.js"], ready: { tcp: 8080 } } },
 * });
 */
export function defineConfig(config: WardenConfig): WardenConfig {
  return config;
}
