import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkDaemons } from "../../../runtime/config/check-daemons.ts";
import type { LoadedConfig } from "../../../runtime/config/load-config.ts";
import { configErrorOfModule } from "../../../runtime/config/module-config-error.ts";
import type { Selection } from "../../../runtime/config/select-daemons.ts";
import type { WardenConfig } from "../../../runtime/config/types.ts";
import { WardenError } from "../../../machines/errors.ts";
import { loadDaemonModule } from "../../../runtime/config/load-daemon-module.ts";

const dir = mkdtempSync(join(tmpdir(), "warden-check-daemons-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, "ok.mjs"), "export default { start() {}, stop() {} };\n");
writeFileSync(join(dir, "empty.mjs"), "export default {};\n");
const file = join(dir, "warden.config.json");
const loaded = (config: WardenConfig): LoadedConfig => ({ file, dir, config });

async function problemsOf(
  config: WardenConfig,
  selection: Selection = {},
): Promise<readonly string[]> {
  const error: unknown = await checkDaemons(loaded(config), dir, selection).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (error === undefined) return [];
  expect(error).toBeInstanceOf(WardenError);
  expect((error as WardenError).code).toBe("WARDEN_ERR_CONFIG");
  expect((error as WardenError).message.split("\n")[0]).toBe(
    "invalid configuration warden.config.json:",
  );
  return (error as WardenError).details;
}

describe("checkDaemons", () => {
  it("accepts daemons that would start", async () => {
    expect(
      await problemsOf({
        daemons: {
          a: { module: "./ok.mjs" },
          b: { command: "sh", args: ["-c", "true"], dependsOn: ["a"] },
        },
      }),
    ).toEqual([]);
  });

  it("reports every problem in the order of the daemons, then the graph", async () => {
    expect(
      await problemsOf({
        daemons: {
          a: { module: "./empty.mjs", dependsOn: ["b"] },
          b: { module: "./ok.mjs", dependsOn: ["a"] },
          c: { module: "./gone.mjs" },
          d: { command: "sh", cwd: "./nowhere" },
        },
      }),
    ).toEqual([
      'warden.config.json: daemons.a.module: "./empty.mjs": expected a default export with start(ctx) and stop(ctx), or a factory returning one',
      'warden.config.json: daemons.c.module: "./gone.mjs": no such file',
      `warden.config.json: daemons.d.cwd: expected an existing folder, got "./nowhere": no such folder ${join(dir, "nowhere")}`,
      'warden.config.json: daemons.a.dependsOn[0]: dependency cycle: a → b → a (expected dependsOn entries that never lead back to "a"; remove one of the cycle\'s entries)',
    ]);
  });

  it("accepts a catalog daemon bound to a module, with the built-in EVENT_ROUTER it needs", async () => {
    const config: WardenConfig = {
      catalog: "ringrift",
      daemons: { AUTO_SYNC: { module: "./ok.mjs" } },
    };
    expect(await problemsOf(config)).toEqual([]);
    expect(await checkDaemons(loaded(config), dir)).toEqual({ warnings: [] });
  });

  it("names an unbound catalog daemon that would start, and the keys that bind it", async () => {
    const problems = await problemsOf({
      catalog: "ringrift",
      daemons: { TRAINING_TRIGGER: { module: "./ok.mjs" } },
    });
    // TRAINING_TRIGGER depends on AUTO_EXPORT (index: "AUTO_EXPORT, EVENT_ROUTER").
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^warden\.config\.json: daemons\.AUTO_EXPORT: a catalog daemon \(Auto Export\) with nothing bound to run it \(needed by TRAINING_TRIGGER\); bind it with "module" .*"command" .*"python"/,
    );
  });

  it("checks what a profile would start: each unbound member, never a built-in", async () => {
    const problems = await problemsOf(
      { catalog: "ringrift", daemons: {} },
      { profile: "coordinator" },
    );
    expect(problems.some((line) => line.includes("daemons.AUTO_SYNC: a catalog daemon"))).toBe(
      true,
    );
    for (const builtIn of ["EVENT_ROUTER", "CROSS_PROCESS_POLLER", "DLQ_RETRY"]) {
      expect(problems.some((line) => line.includes(`daemons.${builtIn}`))).toBe(false);
    }
  });

  it("warns of a deprecated daemon that would start, naming its replacement and removal", async () => {
    const config: WardenConfig = {
      catalog: "ringrift",
      daemons: { SYNC_COORDINATOR: { module: "./ok.mjs" } },
    };
    expect(await checkDaemons(loaded(config), dir)).toEqual({
      warnings: ["SYNC_COORDINATOR is deprecated: use AUTO_SYNC instead (removal Q2 2026)"],
    });
  });

  it("refuses a definition with no module, command or python that is not a catalog daemon", async () => {
    // (validateConfig does: loadConfig reports it before checkDaemons runs.)
    const { validateConfig } = await import("../../../runtime/config/validate-config.ts");
    expect(() => validateConfig({ catalog: "ringrift", daemons: { mine: {} } }, "w.json")).toThrow(
      /daemons\.mine: expected one of "module" .* got none of them \("mine" is not a daemon of the "ringrift" catalog\)/,
    );
  });
});

describe("configErrorOfModule", () => {
  it("names the file, daemons.<name>.module and the module as written", async () => {
    const config: WardenConfig = { daemons: { api: { module: "./ok.js" } } };
    const error = await loadDaemonModule(join(dir, "ok.js"), undefined, "api").catch(
      (reason: unknown) => reason,
    );
    const converted = configErrorOfModule(error, loaded(config), dir);
    expect(converted?.code).toBe("WARDEN_ERR_CONFIG");
    expect(converted?.details).toEqual([
      'warden.config.json: daemons.api.module: "./ok.js": no such file (did you mean "ok.mjs"?)',
    ]);
    expect(configErrorOfModule(new Error("other"), loaded(config), dir)).toBeUndefined();
  });
});
