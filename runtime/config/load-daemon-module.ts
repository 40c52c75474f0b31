import { existsSync } from "node:fs";
import { importModule } from "./import-module.ts";
import { missingPathHint } from "./closest-file.ts";
import { LOAD_TIMEOUT_ENV, loadTimeoutMs, withinLoadTimeout } from "./load-timeout.ts";
import type { DaemonModuleExport, InProcessDaemon } from "../../actors/daemon-types.ts";
import { WardenError, messageOf } from "../../machines/errors.ts";

/**
 * A daemon module that could not be loaded (`WARDEN_ERR_DAEMON_MODULE`, exit 2): which daemon,
 * which file, and the `reason` on its own, so that `warden validate` can put it under the
 * configuration's `daemons.<name>.module`.
 *
 * @example
 * error.message; // 'daemon "api": module /srv/daemons/api.ts: has no default export'
 * error.reason; // "has no default export"
 */
export class DaemonModuleError extends WardenError {
  constructor(
    readonly daemon: string,
    readonly file: string,
    readonly reason: string,
    cause?: unknown,
  ) {
    super("WARDEN_ERR_DAEMON_MODULE", `daemon "${daemon}": module ${file}: ${reason}`, { cause });
    this.name = "DaemonModuleError";
  }
}

/**
 * Loads an in-process daemon from a module file (`.ts`, `.js` or `.mjs`): its default export is
 * the daemon, or a factory that receives `options` and returns it (SPEC §7). The import and the
 * factory are each time-boxed (`WARDEN_LOAD_TIMEOUT_MS`, default 30 s). Every failure is a
 * {@link DaemonModuleError}; a missing file names the closest file of its folder.
 *
 * @example
 * const daemon = await loadDaemonModule("/srv/daemons/auto-sync.ts", { every: 60 }, "AUTO_SYNC");
 */
export async function loadDaemonModule(
  file: string,
  options: unknown,
  name: string,
): Promise<InProcessDaemon> {
  const fail = (reason: string, cause?: unknown) =>
    new DaemonModuleError(name, file, reason, cause);
  if (!existsSync(file)) throw fail(`no such file${missingPathHint(file)}`);
  const limitMs = loadTimeoutMs();
  const longer = `set ${LOAD_TIMEOUT_ENV} to wait longer`;
  const namespace = await withinLoadTimeout(
    () => importModule(file),
    (ms) =>
      fail(
        `did not finish loading within ${ms} ms (a top-level await that never settles?); ${longer}`,
      ),
    limitMs,
    (error) => fail(`could not be loaded: ${messageOf(error)}`, error),
  );
  let exported = namespace.default as DaemonModuleExport | { default?: unknown } | undefined;
  // A CommonJS-transpiled module wraps the real default export one level down.
  if (exported && typeof exported === "object" && "default" in exported && !("start" in exported)) {
    exported = exported.default as DaemonModuleExport;
  }
  if (exported === undefined) throw fail("has no default export");
  let daemon: unknown = exported;
  if (typeof exported === "function") {
    const factory = exported as (options: unknown) => unknown;
    daemon = await withinLoadTimeout(
      () => factory(options),
      (ms) =>
        fail(
          `its factory did not return a daemon within ${ms} ms (a promise that never settles?); ${longer}`,
        ),
      limitMs,
      (error) => fail(`its factory threw: ${messageOf(error)}`, error),
    );
  }
  if (!isDaemon(daemon)) {
    throw fail(
      "expected a default export with start(ctx) and stop(ctx), or a factory returning one",
    );
  }
  return daemon;
}

function isDaemon(value: unknown): value is InProcessDaemon {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as InProcessDaemon).start === "function" &&
    typeof (value as InProcessDaemon).stop === "function"
  );
}
