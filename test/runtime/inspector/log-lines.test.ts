/**
 * The log tail the inspector shows of a process daemon (runtime/inspector/log-lines.ts): the
 * last lines of its log file, topped up from the newest rotated file, bounded.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { logLines } from "../../../runtime/inspector/log-lines.ts";
import { logFileOf } from "../../../actors/log-files.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "warden-inspector-log-"));
  dirs.push(dir);
  mkdirSync(join(dir, "logs"));
  return dir;
}

const numbered = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, at) => `line ${from + at}`);

describe("inspector log lines", () => {
  it("no log file: nothing found", () => {
    expect(logLines(stateDir(), "api", 10)).toEqual({ lines: [], found: false });
  });

  it("the last lines of the current file, a partial last line included", () => {
    const dir = stateDir();
    writeFileSync(logFileOf(dir, "api"), `${numbered(1, 20).join("\n")}\nhalf`);
    expect(logLines(dir, "api", 3)).toEqual({
      lines: ["line 19", "line 20", "half"],
      found: true,
    });
  });

  it("tops up from the newest rotated file, and reads that alone when the current is gone", () => {
    const dir = stateDir();
    const file = logFileOf(dir, "api");
    writeFileSync(`${file}.1`, `${numbered(1, 5).join("\n")}\n`);
    writeFileSync(file, `${numbered(6, 7).join("\n")}\n`);
    expect(logLines(dir, "api", 4).lines).toEqual(numbered(4, 7));
    rmSync(file);
    expect(logLines(dir, "api", 2)).toEqual({ lines: numbered(4, 5), found: true });
  });

  it("reads a bounded part of a large file and cuts very long lines", () => {
    const dir = stateDir();
    const long = "x".repeat(5000);
    writeFileSync(logFileOf(dir, "big"), `${"y".repeat(200_000)}\n${long}\nlast\n`);
    const { lines } = logLines(dir, "big", 100);
    expect(lines.at(-1)).toBe("last");
    expect(lines.at(-2)).toBe(`${"x".repeat(2000)}…`);
    expect(lines.length).toBe(2); // the 200 kB line starts before the part read
  });
});
