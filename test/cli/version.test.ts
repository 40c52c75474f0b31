import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { packageRootFrom, packageVersion } from "../../cli/version.ts";
import { repoRoot } from "../support/run-warden.ts";

const folders: string[] = [];
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A folder holding `files` (paths with `/`, created with their parents). */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "warden-version-"));
  folders.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe("packageVersion", () => {
  it("is the version in this checkout's package.json", () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
    expect(packageVersion()).toBe(pkg.version);
    expect(packageVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("packageRootFrom", () => {
  it("finds warden's package.json from cli/ and from a compiled copy one folder deeper", () => {
    const dir = tree({
      "node_modules/warden/package.json": JSON.stringify({ name: "warden", version: "9.8.7" }),
      "node_modules/warden/cli/version.js": "",
      "node_modules/warden/dist/cli/version.js": "",
    });
    const root = join(dir, "node_modules/warden");
    expect(packageRootFrom(join(root, "cli"))).toBe(root);
    expect(packageRootFrom(join(root, "dist/cli"))).toBe(root);
  });

  it("passes over package.json files of other names and ones that are not JSON", () => {
    const dir = tree({
      "package.json": JSON.stringify({ name: "warden" }),
      "packages/app/package.json": JSON.stringify({ name: "my-app" }),
      "packages/app/lib/package.json": "{ not json",
      "packages/app/lib/x.js": "",
    });
    expect(packageRootFrom(join(dir, "packages/app/lib"))).toBe(dir);
    expect(packageRootFrom(join(dir, "packages/app/lib"), "my-app")).toBe(
      join(dir, "packages/app"),
    );
  });

  it("is undefined when no package.json of that name is found up to the root", () => {
    const dir = tree({ "a/b/package.json": JSON.stringify({ name: "other" }) });
    expect(packageRootFrom(join(dir, "a/b"), "warden-no-such-package-xyz")).toBeUndefined();
  });
});
