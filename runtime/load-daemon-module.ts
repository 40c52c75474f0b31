import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { tsImport } from "tsx/esm/api";
import type { DaemonModuleExport, InProcessDaemon } from "./daemon-types.ts";
import { WardenError, messageOf } from "./errors.ts";

/**
 * Loads an in-process daemon from a module file (`.ts`, `.js` or `.mjs`): its default export is
 * the daemon, or a factory that receives `options` and returns it (SPEC §7).
 *
 * @example
 * const daemon = await loadDaemonModule("/srv/daemons/auto-sync.ts", { every: 60 }, "AUTO_SYNC");
 */
export async function loadDaemonModule(
  file: string,
  options: unknown,
  name: string,
): Promise<InProcessDaemon> {
  const fail = (what: string, cause?: unknown) =>
    new WardenError("WARDEN_ERR_DAEMON_MODULE", `daemon "${name}": module ${file}: ${what}`, {
      cause,
    });
  if (!existsSync(file)) throw fail("no such file");
  let namespace: { default?: unknown };
  try {
    namespace = (await tsImport(pathToFileURL(file).href, import.meta.url)) as {
      default?: unknown;
    };
  } catch (error) {
    throw fail(`could not be loaded: ${messageOf(error)}`, error);
  }
  let exported = namespace.default as DaemonModuleExport | { default?: unknown } | undefined;
  // A CommonJS-transpiled module wraps the real default export one level down.
  if (exported && typeof exported === "object" && "default" in exported && !("start" in exported)) {
    exported = exported.default as DaemonModuleExport;
  }
  if (exported === undefined) throw fail("has no default export");
  let daemon: unknown = exported;
  if (typeof exported === "function") {
    try {
      daemon = await (exported as (options: unknown) => unknown)(options);
    } catch (error) {
      throw fail(`its factory threw: ${messageOf(error)}`, error);
    }
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
