import { realpathSync } from "node:fs";
import { userInfo } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { WardenError } from "../../machines/errors.ts";
import { loadConfig } from "../../runtime/config/load-config.ts";
import { managerStopBudget, renderSystemdUnit } from "../../runtime/supervision/systemd-unit.ts";
import type { CliIO } from "../io.ts";
import { packageRootFrom } from "../version.ts";

export interface SystemdUnitOptions {
  config?: string;
}

/**
 * `warden systemd-unit [--config F]`: prints a unit file that runs `warden up --supervised`
 * with the configuration (loaded and checked first: a bad one exits 2), this Node and this
 * warden, as the user running the command (no `User=` when that is root) and with its PATH.
 *
 * @example
 * await systemdUnit({ config: "warden.config.ts" }, io); // `warden systemd-unit > /etc/systemd/system/warden-app.service`
 */
export async function systemdUnit(options: SystemdUnitOptions, io: CliIO): Promise<void> {
  const loaded = await loadConfig(options.config, io.cwd);
  const uid = process.getuid?.();
  const user = uid === undefined || uid === 0 ? undefined : userInfo().username;
  const path = process.env.PATH;
  io.out(
    renderSystemdUnit({
      node: process.execPath,
      bin: wardenBin(),
      config: loaded.file,
      workingDirectory: loaded.dir,
      stopBudget: managerStopBudget(loaded.config),
      ...(user !== undefined ? { user } : {}),
      ...(path ? { path } : {}),
    }).replace(/\n$/, ""),
  );
}

/** The real path of this warden's `bin/warden.js` (through any `node_modules/.bin` link). */
function wardenBin(): string {
  const root = packageRootFrom(dirname(fileURLToPath(import.meta.url)));
  if (root === undefined) {
    throw new WardenError(
      "WARDEN_ERR_USAGE",
      "cannot find warden's package.json above this module",
    );
  }
  return realpathSync(join(root, "bin", "warden.js"));
}
