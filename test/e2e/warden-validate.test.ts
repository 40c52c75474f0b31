import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runWarden } from "../support/run-warden.ts";

function configFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), "warden-validate-"));
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

describe("warden validate", () => {
  it("accepts the quickstart and exits 0", async () => {
    const run = runWarden(["validate", "--config", "examples/quickstart/warden.config.ts"]);
    expect(await run.exited).toBe(0);
    expect(run.output().stdout).toMatch(/valid \(6 daemons\)/);
  });

  it("exits 2 naming the file, the path and the closest known key", async () => {
    const file = configFile(
      "warden.config.json",
      JSON.stringify({
        daemons: { a: { module: "./a.ts", restart: "sometimes", dependson: ["b"] } },
      }),
    );
    const run = runWarden(["validate", "--config", file]);
    expect(await run.exited).toBe(2);
    const { stderr } = run.output();
    expect(stderr).toMatch(/warden\.config\.json: daemons\.a\.restart: expected one of/);
    expect(stderr).toMatch(/daemons\.a\.dependson: unknown key \(did you mean "dependsOn"\?\)/);
  });

  it("exits 2 naming a dependency cycle, the file and the dependsOn entry", async () => {
    const dir = mkdtempSync(join(tmpdir(), "warden-cycle-"));
    const daemon = "export default { start() {}, stop() {} };\n";
    writeFileSync(join(dir, "d.mjs"), daemon);
    const file = join(dir, "warden.config.yaml");
    writeFileSync(
      file,
      [
        "daemons:",
        "  a: { module: ./d.mjs, dependsOn: [c] }",
        "  b: { module: ./d.mjs, dependsOn: [a] }",
        "  c: { module: ./d.mjs, dependsOn: [b] }",
        "",
      ].join("\n"),
    );
    const run = runWarden(["validate"], dir);
    expect(await run.exited).toBe(2);
    expect(run.output().stderr).toMatch(
      /dependency cycle: (a → c → b → a|b → a → c → b|c → b → a → c)/,
    );
    expect(run.output().stderr).toMatch(
      /^warden\.config\.yaml: daemons\.[abc]\.dependsOn\[0\]: dependency cycle: /m,
    );
  });

  it("reports every module and program problem at once, each with its file and path", async () => {
    const dir = mkdtempSync(join(tmpdir(), "warden-validate-all-"));
    writeFileSync(join(dir, "d.mjs"), "export default { start() {}, stop() {} };\n");
    writeFileSync(join(dir, "no-default.mjs"), "export const x = 1;\n");
    mkdirSync(join(dir, "daemons"));
    writeFileSync(join(dir, "daemons", "auto-sync.mjs"), "export default {};\n");
    mkdirSync(join(dir, "work"));
    writeFileSync(join(dir, "work", "run.sh"), "#!/bin/sh\n");
    chmodSync(join(dir, "work", "run.sh"), 0o644);
    writeFileSync(
      join(dir, "warden.config.yaml"),
      [
        "daemons:",
        "  good: { module: ./d.mjs }",
        "  missing: { module: ./daemons/auto-synk.mjs }",
        "  noDefault: { module: ./no-default.mjs }",
        "  tool: { command: warden-no-such-program-xyz }",
        "  script: { command: ./run.sh, cwd: ./work }",
        "  lost: { command: sh, cwd: ./wrok }",
        "  fine: { command: sh, args: [-c, 'sleep 1'], cwd: ./work }",
        "",
      ].join("\n"),
    );
    const run = runWarden(["validate"], dir);
    expect(await run.exited).toBe(2);
    const lines = run.output().stderr.split("\n");
    const shown = (path: string, text: string) =>
      expect(lines).toContainEqual(`warden.config.yaml: ${path}: ${text}`);
    shown(
      "daemons.missing.module",
      '"./daemons/auto-synk.mjs": no such file (did you mean "auto-sync.mjs"?)',
    );
    shown("daemons.noDefault.module", '"./no-default.mjs": has no default export');
    shown(
      "daemons.tool.command",
      'expected a program on PATH or a path to an executable file, got "warden-no-such-program-xyz": not found on PATH',
    );
    shown(
      "daemons.script.command",
      `expected an executable file, got "./run.sh": ${join(dir, "work", "run.sh")} is not executable (chmod +x it)`,
    );
    shown(
      "daemons.lost.cwd",
      `expected an existing folder, got "./wrok": no such folder ${join(dir, "wrok")} (did you mean "work"?)`,
    );
    expect(run.output().stderr).not.toMatch(/daemons\.(good|fine)\b/);
    expect(lines[0]).toBe("warden: invalid configuration warden.config.yaml:");
  });

  it("exits 2 with usage for an unknown flag", async () => {
    const run = runWarden(["validate", "--nope"]);
    expect(await run.exited).toBe(2);
    expect(run.output().stderr).toMatch(/unknown option '--nope'/);
  });
});

describe("warden validate time-boxes loading", () => {
  afterEach(() => vi.unstubAllEnvs());

  /** A folder holding `files`; the child warden gives up on loading after 300 ms. */
  function folder(files: Record<string, string>): string {
    vi.stubEnv("WARDEN_LOAD_TIMEOUT_MS", "300");
    const dir = mkdtempSync(join(tmpdir(), "warden-validate-stuck-"));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  }
  const STUCK = "await new Promise(() => {});\n";

  it("exits 2 naming a configuration whose top-level await never settles", async () => {
    const dir = folder({ "warden.config.mjs": `${STUCK}export default { daemons: {} };\n` });
    const run = runWarden(["validate"], dir);
    expect(await run.exited).toBe(2);
    expect(run.output().stderr).toContain(
      "warden: cannot load warden.config.mjs: it did not finish loading within 300 ms " +
        "(a top-level await that never settles?); set WARDEN_LOAD_TIMEOUT_MS to wait longer",
    );
  });

  it("exits 2 naming a module that never loads and a factory that never returns", async () => {
    const dir = folder({
      "stuck.mjs": `${STUCK}export default { start() {}, stop() {} };\n`,
      "never.mjs": "export default () => new Promise(() => {});\n",
      "warden.config.json": JSON.stringify({
        daemons: { stuck: { module: "./stuck.mjs" }, never: { module: "./never.mjs" } },
      }),
    });
    const run = runWarden(["validate"], dir);
    expect(await run.exited).toBe(2);
    const { stderr } = run.output();
    expect(stderr).toContain(
      'warden.config.json: daemons.stuck.module: "./stuck.mjs": did not finish loading within 300 ms',
    );
    expect(stderr).toContain(
      'warden.config.json: daemons.never.module: "./never.mjs": its factory did not return a daemon within 300 ms',
    );
  });
});
