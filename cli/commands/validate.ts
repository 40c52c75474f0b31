import { relative } from "node:path";
import { loadConfig } from "../../runtime/config/load-config.ts";
import { managerFromConfig } from "../../runtime/manager-from-config.ts";
import type { CliIO } from "../io.ts";

/**
 * `warden validate`: loads the configuration, checks it against the schema, loads every daemon
 * module and checks the dependency graph, without starting anything. Errors exit 2.
 */
export async function validate(options: { config?: string }, io: CliIO): Promise<void> {
  const loaded = await loadConfig(options.config, io.cwd);
  const manager = await managerFromConfig(loaded, { captureEscapedErrors: false });
  try {
    manager.validate();
  } finally {
    await manager.close();
  }
  const count = manager.names().length;
  const where = relative(io.cwd, loaded.file) || loaded.file;
  io.out(`${where}: valid (${count} daemon${count === 1 ? "" : "s"})`);
}
