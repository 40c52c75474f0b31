import { closeSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tailLog } from "../../cli/log-tail.ts";

let dir: string;
let file: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "warden-log-tail-"));
  file = join(dir, "api.log");
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes the log and its rotated files: `files[0]` is the current one, then `.1`, `.2`, … */
function writeLog(...files: string[]): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  files.forEach((text, i) => writeFileSync(i === 0 ? file : `${file}.${i}`, text));
}

function tail(count: number, follow = false) {
  const result = tailLog(file, count, follow);
  if (result.cursor) closeSync(result.cursor.fd);
  return result;
}

describe("tailLog", () => {
  it("prints a last line without its newline too, but leaves it to the follower when following", () => {
    writeLog("a\nb\nhalf");
    expect(tail(2).lines).toEqual(["b", "half"]);
    const followed = tailLog(file, 2, true);
    expect(followed.lines).toEqual(["a", "b"]);
    expect(followed.cursor?.offset).toBe(4);
    closeSync(followed.cursor!.fd);
  });

  it("takes what the current file lacks from the rotated files, newest first, and stops at a gap", () => {
    writeLog("5\n6\n", "3\n4\n", "1\n2\n");
    writeFileSync(`${file}.4`, "never read\n");
    expect(tail(3).lines).toEqual(["4", "5", "6"]);
    expect(tail(100).lines).toEqual(["1", "2", "3", "4", "5", "6"]);
    expect(tail(0).lines).toEqual([]);
  });

  it("reads the rotated files when the current one is missing, and says when nothing exists", () => {
    writeLog();
    writeFileSync(`${file}.1`, "x\ny\n");
    expect(tail(1)).toMatchObject({ lines: ["y"], found: true, cursor: undefined });
    rmSync(`${file}.1`);
    expect(tail(10)).toMatchObject({ lines: [], found: false });
  });

  it("gives the same lines as reading the whole file, across 64 KiB blocks", () => {
    const big = Array.from({ length: 5000 }, (_, i) => `${i} ${"é".repeat(i % 50)}`);
    writeLog(big.join("\n") + "\n");
    for (const count of [1, 1000, 1700, 4999, 5000, 6000]) {
      expect(tail(count).lines).toEqual(big.slice(-count));
    }
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: "grapheme", maxLength: 3000 }), { maxLength: 120 }),
        fc.nat(150),
        fc.boolean(),
        (texts, count, newlineAtEnd) => {
          const text =
            texts.map((t) => t.replace(/\n/g, " ")).join("\n") + (newlineAtEnd ? "\n" : "");
          writeLog(text);
          const whole = text === "" ? [] : text.replace(/\n$/, "").split("\n");
          expect(tail(count).lines).toEqual(count === 0 ? [] : whole.slice(-count));
        },
      ),
      { numRuns: 60 },
    );
  });
});
