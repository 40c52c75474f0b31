/**
 * The commands that talk to a running manager load only what they need (issue 10): no XState,
 * no fastify, no zod (the configuration schema), no YAML parser and no TypeScript loader — for a
 * JSON configuration, and for a `warden.config.ts` that `warden up` has run (it remembers the
 * configuration's state directory). The bundled CLI (commander inside it) imports no package at
 * all on that path, and none of Node's heavier modules it has no use for (docs/decisions/0008).
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { workspacePerTest } from "../support/manager-run.ts";
import { repoRoot, runWarden } from "../support/run-warden.ts";

const workspace = workspacePerTest();
/**
 * Node modules `warden status` has no use for when the manager answers, each costing start-up
 * time to load. (Not `module` and `worker_threads`: the recorder's own hooks load those.)
 */
const UNNEEDED_BUILTINS = ["crypto", "child_process", "https", "tls", "dgram", "zlib"];
const recorder = join(repoRoot, "test/support/import-recorder.mjs");

/** Runs `warden …args` in `cwd` with the import recorder; the packages it imported. */
async function importsOf(args: string[], cwd: string) {
  const run = runWarden(args, cwd, ["--import", recorder]);
  const code = await run.exited;
  const { stdout, stderr } = run.output();
  const packages = [...stderr.matchAll(/^imported-package (\S+)$/gm)].map((m) => m[1]);
  const builtins = [...stderr.matchAll(/^loaded-builtin (\S+)$/gm)].map((m) => m[1]!);
  return { code, packages, builtins, stdout };
}

describe("what a control command loads", () => {
  it("warden status with a JSON configuration loads none of the runtime's libraries", async () => {
    const space = workspace({ daemons: {} });
    const { code, packages, builtins } = await importsOf(
      ["status", "--config", space.config],
      space.dir,
    );
    // (With no manager.json, it asks the state directory's lock who holds it: that loads more.)
    expect(code).toBe(3); // no manager runs: the command still went as far as looking for one
    expect(packages).toEqual([]);
    expect(builtins).toContain("http"); // the recorder sees what was loaded
  });

  it("warden status with a .ts configuration that warden up runs loads no TypeScript loader", async () => {
    const space = workspace(
      {},
      { "warden.config.ts": "export default { server: { port: 0 }, daemons: {} };\n" },
    );
    const config = join(space.dir, "warden.config.ts");
    const up = space.up([], config);
    await up.waitForOutput(/daemon(s)? running/);
    const { code, packages, builtins, stdout } = await importsOf(
      ["status", "--config", config],
      space.dir,
    );
    expect(stdout).toContain("HEALTH_SERVER");
    expect(code).toBe(0);
    expect(packages).toEqual([]);
    expect(builtins.filter((name) => UNNEEDED_BUILTINS.includes(name))).toEqual([]);
    up.child.kill("SIGTERM");
    expect(await up.exited).toBe(0);
  });
});
