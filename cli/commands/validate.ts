import { checkDaemons } from "../../runtime/config/check-daemons.ts";
import { loadConfig } from "../../runtime/config/load-config.ts";
import type { CliIO } from "../io.ts";
import { resolveProfile } from "./profile-auto.ts";
import { shownPath } from "../shown-path.ts";

/**
 * `warden validate`: loads the configuration and checks it against the schema, then, without
 * starting anything, loads every daemon module, checks every process daemon's command and cwd,
 * the dependency graph, and that what `warden up` (with `--profile P`, that profile) would
 * start is bound: an unbound catalog daemon is named with the keys that bind it; a deprecated
 * one is a warning. Exits 2 listing every problem, each naming the file and the path in
 * it; loading user code is time-boxed (`WARDEN_LOAD_TIMEOUT_MS`, default 30 s).
 *
 * @example
 * await validate({ config: "warden.config.ts" }, io); // "warden.config.ts: valid (6 daemons)"
 */
export async function validate(
  options: { config?: string; profile?: string },
  io: CliIO,
): Promise<void> {
  const loaded = await loadConfig(options.config, io.cwd);
  const selection = await resolveProfile(loaded, options, io);
  const { warnings } = await checkDaemons(loaded, io.cwd, selection);
  for (const warning of warnings) io.err(`warden: warning: ${warning}`);
  const count = Object.keys(loaded.config.daemons).length;
  io.out(`${shownPath(loaded.file, io.cwd)}: valid (${count} daemon${count === 1 ? "" : "s"})`);
}
