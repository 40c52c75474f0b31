import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensurePrivateDirectory, UnsafeDirectoryError } from "../../actors/private-directory.ts";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "warden-private-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe("ensurePrivateDirectory", () => {
  it("creates the directory and its parents with mode 700", () => {
    const directory = join(root, "a", "b");
    ensurePrivateDirectory(directory);
    expect(modeOf(directory)).toBe(0o700);
    expect(modeOf(join(root, "a"))).toBe(0o700);
  });

  it("accepts one we made before", () => {
    const directory = join(root, "run");
    mkdirSync(directory, { mode: 0o700 });
    expect(() => ensurePrivateDirectory(directory)).not.toThrow();
  });

  it("refuses one that group or others may use, naming it and its mode", () => {
    const directory = join(root, "open");
    mkdirSync(directory);
    for (const mode of [0o755, 0o770, 0o701, 0o777]) {
      // chmod, not mkdir's mode: the umask would take bits away.
      chmodSync(directory, mode);
      const attempt = () => ensurePrivateDirectory(directory);
      expect(attempt).toThrow(UnsafeDirectoryError);
      expect(attempt).toThrow(`${directory} for notify sockets: its mode is ${mode.toString(8)}`);
    }
  });

  it("refuses a symbolic link, even to a private directory of ours", () => {
    const target = join(root, "target");
    mkdirSync(target, { mode: 0o700 });
    const link = join(root, "link");
    symlinkSync(target, link);
    expect(() => ensurePrivateDirectory(link)).toThrow(
      /link for notify sockets: it is a symbolic link/,
    );
    const dangling = join(root, "dangling");
    symlinkSync(join(root, "nowhere"), dangling);
    expect(() => ensurePrivateDirectory(dangling)).toThrow(/it is a symbolic link/);
  });

  it("refuses one another user owns, naming the owner", () => {
    const directory = join(root, "theirs");
    mkdirSync(directory, { mode: 0o700 });
    const me = process.getuid!();
    expect(() => ensurePrivateDirectory(directory, { uid: me + 1 })).toThrow(
      `it is owned by uid ${me}, not by us (uid ${me + 1})`,
    );
  });

  it("refuses a file in the way", () => {
    const file = join(root, "file");
    writeFileSync(file, "");
    expect(() => ensurePrivateDirectory(file)).toThrow(/it is not a directory/);
  });
});
