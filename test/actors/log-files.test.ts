import { basename, dirname, join, resolve } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { logFileOf, rotatedFileOf, rotatedFilesOf } from "../../actors/log-files.ts";

const STATE = "/srv/.warden";
const LOGS = join(STATE, "logs");

describe("logFileOf", () => {
  it("keeps a configuration name as it is", () => {
    expect(logFileOf(STATE, "AUTO_SYNC")).toBe("/srv/.warden/logs/AUTO_SYNC.log");
    expect(logFileOf(STATE, "web-1.eu_west")).toBe("/srv/.warden/logs/web-1.eu_west.log");
  });

  it("maps other characters to _ and adds a hash of the original name", () => {
    expect(logFileOf(STATE, "../etc/passwd")).toBe("/srv/.warden/logs/__etc_passwd-62dab22f.log");
    expect(basename(logFileOf(STATE, "a b"))).toMatch(/^a_b-[0-9a-f]{8}\.log$/);
    expect(basename(logFileOf(STATE, "données"))).toMatch(/^donn_es-[0-9a-f]{8}\.log$/);
  });

  it("never names a hidden file, a parent reference or an empty name", () => {
    for (const name of ["", ".", "..", "...", ".hidden", "a..b", "/", "\\..\\x", "\0"]) {
      const file = logFileOf(STATE, name);
      expect(dirname(file)).toBe(LOGS);
      expect(basename(file)).not.toMatch(/^\.|\.\.|[/\\]/);
    }
  });

  it("keeps distinct names in distinct files", () => {
    const names = ["a/b", "a_b", "a:b", "a b", "A_B"];
    expect(new Set(names.map((name) => logFileOf(STATE, name))).size).toBe(names.length);
  });

  it("cuts a very long name so that rotated file names still fit 255 bytes", () => {
    const file = logFileOf(STATE, "x".repeat(1000));
    expect(Buffer.byteLength(basename(rotatedFileOf(file, 9999)))).toBeLessThanOrEqual(255);
    expect(file).not.toBe(logFileOf(STATE, "x".repeat(999)));
  });

  it("stays inside <stateDir>/logs for any name", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (name) => {
        const file = logFileOf(STATE, name);
        expect(dirname(resolve(file))).toBe(LOGS);
        expect(basename(file)).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9._-]*\.log$/);
        expect(basename(file)).not.toContain("..");
      }),
    );
  });
});

describe("rotatedFilesOf", () => {
  it("lists the rotated files a log keeps, oldest first", () => {
    expect(rotatedFilesOf("api.log", 5)).toEqual([
      "api.log.4",
      "api.log.3",
      "api.log.2",
      "api.log.1",
    ]);
    expect(rotatedFilesOf("api.log", 1)).toEqual([]);
    expect(rotatedFileOf("api.log", 2)).toBe("api.log.2");
  });
});
