import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { quickStateDir } from "../../../runtime/config/config-file.ts";
import { rememberStateDir, rememberedStateDir } from "../../../runtime/config/state-dir-memo.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function configFile(text = "export default { daemons: {} };\n"): string {
  const dir = mkdtempSync(join(tmpdir(), "warden-memo-"));
  dirs.push(dir);
  const file = join(dir, "warden.config.mjs");
  writeFileSync(file, text);
  return file;
}

describe("the state directory remembered for a configuration module", () => {
  it("is what warden up remembered, while the file is unchanged", async () => {
    const file = configFile();
    expect(rememberedStateDir(file)).toBeUndefined();
    rememberStateDir(file, "/srv/state");
    expect(rememberedStateDir(file)).toBe("/srv/state");
    expect(await quickStateDir(file)).toBe("/srv/state");
  });

  it("is forgotten once the file changes", () => {
    const file = configFile();
    rememberStateDir(file, "/srv/state");
    writeFileSync(file, "export default { stateDir: 'elsewhere', daemons: {} };\n");
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    expect(rememberedStateDir(file)).toBeUndefined();
  });

  it("is read from a JSON configuration directly, default .warden beside it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "warden-memo-"));
    dirs.push(dir);
    const file = join(dir, "warden.config.json");
    writeFileSync(file, JSON.stringify({ daemons: {} }));
    expect(await quickStateDir(file)).toBe(join(dir, ".warden"));
    writeFileSync(file, JSON.stringify({ stateDir: "state", daemons: {} }));
    expect(await quickStateDir(file)).toBe(join(dir, "state"));
  });
});
