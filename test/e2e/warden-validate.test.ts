import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
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

  it("exits 2 naming a dependency cycle", async () => {
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
  });

  it("exits 2 with usage for an unknown flag", async () => {
    const run = runWarden(["validate", "--nope"]);
    expect(await run.exited).toBe(2);
    expect(run.output().stderr).toMatch(/unknown option '--nope'/);
  });
});
