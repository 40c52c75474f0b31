import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { foldersAndRunsPerTest } from "../support/manager-run.ts";
import { repoRoot, runWarden } from "../support/run-warden.ts";

const temporary = foldersAndRunsPerTest("warden-init-e2e-");
const tempDir = temporary.folder;

/** Runs `warden args` in `cwd` to its end. */
async function warden(args: string[], cwd: string) {
  const run = temporary.track(runWarden(args, cwd));
  const code = await run.exited;
  return { code, ...run.output() };
}

/**
 * `warden up` in `dir` on port 0 instead of the starter's 7070, which other end-to-end tests
 * running at the same time use; nothing else of the generated configuration changes.
 */
function upOnAnyPort(dir: string, configName: string) {
  const file = join(dir, configName);
  const text = readFileSync(file, "utf8");
  const changed = text.replace(/("port": |port: )7070\b/, "$10");
  expect(changed).not.toBe(text);
  writeFileSync(file, changed);
  return temporary.track(runWarden(["up"], dir));
}

describe("warden init", () => {
  it("--format json writes a configuration with $schema and an .mjs daemon; warden up runs it", async () => {
    const cwd = tempDir();
    const init = await warden(["init", "app", "--format", "json"], cwd);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain("Wrote a starter warden project in app:");
    expect(init.stdout).toMatch(/^ {2}warden\.config\.json {5}the configuration/m);
    expect(init.stdout).toMatch(/^ {2}daemons\/heartbeat\.mjs {2}the in-process daemon's module/m);
    expect(init.stdout).toMatch(
      /^Next:\n {2}cd app\n {2}warden validate +# .*\n {2}warden up +# /m,
    );
    const dir = join(cwd, "app");
    const config = JSON.parse(readFileSync(join(dir, "warden.config.json"), "utf8"));
    expect(config.$schema).toBe("./node_modules/warden/schema/warden.config.schema.json");
    expect(Object.keys(config.daemons)).toEqual(["heartbeat", "ticker"]);
    expect(config.daemons.heartbeat.module).toBe("./daemons/heartbeat.mjs");
    expect(config.daemons.ticker.command).toBe("sh");

    const validate = await warden(["validate"], dir);
    expect(validate.code, validate.stderr).toBe(0);
    expect(validate.stdout).toBe("warden.config.json: valid (2 daemons)\n");

    const up = upOnAnyPort(dir, "warden.config.json");
    await up.waitForOutput(/5 daemons running/);
    await up.waitForOutput(/ticker\s+│ ticker ready/);
    up.child.kill("SIGTERM");
    expect(await up.exited, up.output().stderr).toBe(0);
    expect(up.output().stderr).toMatch(/heartbeat\s+info\s+beating every 5000 ms/);
    expect(up.output().stderr).toContain("all daemons stopped");
  });

  it("--format yaml in the current folder, with warden installed: $schema comment points at its schema file", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(repoRoot, join(dir, "node_modules", "warden"), "dir");
    const init = await warden(["init", "--format", "yaml"], dir);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toBe("");
    expect(init.stdout).not.toMatch(/\bcd\b/);
    const text = readFileSync(join(dir, "warden.config.yaml"), "utf8");
    const ref = "./node_modules/warden/schema/warden.config.schema.json";
    expect(text.split("\n")[0]).toBe(`# yaml-language-server: $schema=${ref}`);
    expect(JSON.parse(readFileSync(join(dir, ref), "utf8")).title).toBe("warden configuration");
    expect(existsSync(join(dir, "daemons/heartbeat.mjs"))).toBe(true);

    const up = upOnAnyPort(dir, "warden.config.yaml");
    await up.waitForOutput(/5 daemons running/);
    up.child.kill("SIGINT");
    expect(await up.exited, up.output().stderr).toBe(0);
    expect(up.output().stdout).toMatch(/ticker\s+│ tick \d\d:\d\d:\d\d/);
  });

  it("writes warden.config.ts by default, which passes warden validate once warden is installed", async () => {
    const dir = tempDir();
    const init = await warden(["init"], dir);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/^ {2}warden\.config\.ts {6}the configuration/m);
    expect(init.stdout).toMatch(/^ {2}daemons\/heartbeat\.ts {2}the in-process daemon's module/m);
    expect(init.stderr).toMatch(/warden\.config\.ts imports "warden".*npm install warden/);
    expect(readFileSync(join(dir, "warden.config.ts"), "utf8")).toContain(
      'import { defineConfig } from "warden";',
    );
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(repoRoot, join(dir, "node_modules", "warden"), "dir");
    const validate = await warden(["validate"], dir);
    expect(validate.code, validate.stderr).toBe(0);
    expect(validate.stdout).toBe("warden.config.ts: valid (2 daemons)\n");
  });

  it("refuses to overwrite existing files (exit 2, naming them) unless --force", async () => {
    const dir = tempDir();
    expect((await warden(["init", "--format", "json"], dir)).code).toBe(0);
    writeFileSync(join(dir, "daemons/heartbeat.mjs"), "// mine\n");
    const again = await warden(["init", "--format", "json"], dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(
      `warden: init: nothing written to ${dir}: warden.config.json, daemons/heartbeat.mjs ` +
        "already exist (--force overwrites them)",
    );
    expect(readFileSync(join(dir, "daemons/heartbeat.mjs"), "utf8")).toBe("// mine\n");

    const other = await warden(["init", "--format", "yaml"], dir);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/there is already a configuration, warden\.config\.json/);
    expect(existsSync(join(dir, "warden.config.yaml"))).toBe(false);

    const forced = await warden(["init", "--format", "json", "--force"], dir);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/daemons\/heartbeat\.mjs .*\(overwritten\)$/m);
    expect(readFileSync(join(dir, "daemons/heartbeat.mjs"), "utf8")).toMatch(/HEARTBEAT/);
  });

  it("exits 2 with usage for an unknown --format", async () => {
    const dir = tempDir();
    const run = await warden(["init", "--format", "toml"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/argument 'toml' is invalid\. Allowed choices are ts, json, yaml/);
    expect(existsSync(join(dir, "daemons"))).toBe(false);
  });
});

describe("warden --version", () => {
  it("prints the version of package.json and exits 0", async () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
    for (const flag of ["--version", "-V"]) {
      const run = await warden([flag], tempDir());
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`${version}\n`);
    }
  });
});
