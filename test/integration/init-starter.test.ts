/**
 * The starter project of `warden init` (written by `initProject`, no CLI parsing involved) is
 * valid, runs under `warden up` in each format, and type-checks as a user's project would.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { initProject, type InitResult } from "../../cli/commands/init-project.ts";
import type { InitFormat } from "../../cli/commands/init.ts";
import type { CliIO } from "../../cli/io.ts";
import { repoRoot, runWarden } from "../support/run-warden.ts";
import { captureIo } from "../support/capture-io.ts";
import { foldersAndRunsPerTest } from "../support/manager-run.ts";

const temporary = foldersAndRunsPerTest("warden-starter-");

const silentIo = (cwd: string): CliIO => captureIo(cwd).io;

/** A fresh project folder where `npm install warden` has been run (a link to this checkout). */
function project(): string {
  const dir = temporary.folder();
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module", private: true }));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(repoRoot, join(dir, "node_modules", "warden"), "dir");
  return dir;
}

function init(format: InitFormat, dir = project()): InitResult {
  return initProject(undefined, { format }, silentIo(dir));
}

/**
 * Port 0 instead of the starter's 7070, which other end-to-end tests running at the same time
 * use; nothing else of the starter changes.
 */
function onAnyPort(result: InitResult): void {
  const text = readFileSync(result.config, "utf8");
  const changed = text.replace(/("port": |port: )7070\b/, "$10");
  expect(changed).not.toBe(text);
  writeFileSync(result.config, changed);
}

describe("the starter project of warden init", () => {
  it.each(["ts", "json", "yaml"] as const)("--format %s passes warden validate", async (format) => {
    const result = init(format);
    const run = temporary.track(runWarden(["validate"], result.dir));
    expect(await run.exited, run.output().stderr).toBe(0);
    expect(run.output().stdout).toBe(`warden.config.${format}: valid (2 daemons)\n`);
  });

  it.each(["json", "yaml"] as const)(
    "--format %s runs under warden up: both daemons start in order and stop on SIGTERM",
    async (format) => {
      const result = init(format);
      onAnyPort(result);
      const run = temporary.track(runWarden(["up"], result.dir));
      await run.waitForOutput(/5 daemons running/);
      await run.waitForOutput(/ticker\s+│ tick \d\d:\d\d:\d\d/);
      run.child.kill("SIGTERM");
      const code = await run.exited;
      const { stdout, stderr } = run.output();
      expect(code, stderr).toBe(0);
      expect(stderr).toMatch(/heartbeat\s+info\s+beating every 5000 ms/);
      expect(stdout).toMatch(/ticker\s+│ ticker ready/);
      const running = [...stdout.matchAll(/^\S+\s+(\S+)\s+STARTING → RUNNING$/gm)].map(
        (match) => match[1],
      );
      expect(running.indexOf("ticker")).toBeGreaterThan(running.indexOf("heartbeat"));
      expect(stderr).toContain("all daemons stopped");
      expect(readFileSync(join(result.dir, ".warden/logs/ticker.log"), "utf8")).toMatch(
        /stdout ticker ready/,
      );
    },
  );

  it("--format ts runs under warden up", async () => {
    const result = init("ts");
    onAnyPort(result);
    const run = temporary.track(runWarden(["up"], result.dir));
    await run.waitForOutput(/5 daemons running/);
    run.child.kill("SIGINT");
    expect(await run.exited, run.output().stderr).toBe(0);
    expect(run.output().stderr).toMatch(/heartbeat\s+info\s+beating every 5000 ms/);
  });

  it("type-checks: the .ts files, and the .mjs module through its JSDoc (checkJs)", () => {
    const dir = project();
    init("ts", dir);
    mkdirSync(join(dir, "js"));
    init("json", join(dir, "js"));
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noEmit: true,
          allowJs: true,
          checkJs: true,
          // warden ships its TypeScript sources.
          allowImportingTsExtensions: true,
          skipLibCheck: true,
          types: ["node"],
          typeRoots: [join(repoRoot, "node_modules/@types")],
        },
        include: ["warden.config.ts", "daemons", "js/daemons"],
      }),
    );
    const tsc = spawnSync(
      process.execPath,
      [join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", dir],
      { encoding: "utf8" },
    );
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  });
});
