import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RotatingLog } from "../../actors/rotating-log.ts";
import { DEFAULTS } from "../../machines/defaults.ts";
import { MAX_PARTIAL_LINE_BYTES } from "../../actors/line-splitter.ts";

const T0 = new Date("2026-11-23T04:40:48.123Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
/** `<ISO time> stdout ` is 32 bytes; "line 0001" makes a 42-byte line with its newline. */
const PREFIX_BYTES = 32;

let dir: string;
let logsDir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "warden-rotating-log-"));
  logsDir = join(dir, "state", "logs");
  file = join(logsDir, "api.log");
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const read = (path = file) => readFileSync(path, "utf8");
const linesOf = (path = file) => read(path).split("\n").slice(0, -1);
const numbered = (n: number) => `line ${String(n).padStart(4, "0")}`;
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => numbered(from + i));
/** The text after `<time> <stream> ` of each line of a file. */
const textsOf = (path = file) => linesOf(path).map((line) => line.split(" ").slice(2).join(" "));

describe("RotatingLog line format", () => {
  it("writes `<ISO time> <stream> <line>` and creates the folder 0700 and the file 0600", () => {
    const log = new RotatingLog({ file });
    log.write("stdout", "hello world\n", T0);
    log.write("stderr", Buffer.from("oops\n"), at(1));
    log.close();
    expect(read()).toBe(
      "2026-11-23T04:40:48.123Z stdout hello world\n2026-11-23T04:40:48.124Z stderr oops\n",
    );
    expect(statSync(logsDir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("keeps a partial line until its end arrives, stamped with the time of the chunk that ends it", () => {
    const log = new RotatingLog({ file });
    log.write("stdout", "hel", T0);
    log.write("stdout", "lo\nwor", at(5));
    expect(existsSync(file) ? read() : "").toBe("2026-11-23T04:40:48.128Z stdout hello\n");
    log.write("stdout", "ld\n\n", at(10));
    log.close();
    expect(linesOf()).toEqual([
      "2026-11-23T04:40:48.128Z stdout hello",
      "2026-11-23T04:40:48.133Z stdout world",
      "2026-11-23T04:40:48.133Z stdout ",
    ]);
  });

  it("strips CRLF endings, also when the \\r and the \\n arrive in different chunks", () => {
    const log = new RotatingLog({ file });
    log.write("stdout", "one\r\ntwo\r", T0);
    log.write("stdout", "\nthree\rstill three\n", T0);
    log.close();
    expect(textsOf()).toEqual(["one", "two", "three\rstill three"]);
  });

  it("buffers each stream on its own, so interleaved output never mixes inside a line", () => {
    const log = new RotatingLog({ file });
    log.write("stdout", "out 1 par", T0);
    log.write("stderr", "err 1\nerr 2 par", T0);
    log.write("stdout", "tial\n", T0);
    log.write("stderr", "tial\n", T0);
    log.close();
    expect(linesOf().map((line) => line.slice(25))).toEqual([
      "stderr err 1",
      "stdout out 1 partial",
      "stderr err 2 partial",
    ]);
  });

  it("keeps a UTF-8 character split across chunks whole", () => {
    const log = new RotatingLog({ file });
    const bytes = Buffer.from("café ☕\n");
    log.write("stdout", bytes.subarray(0, 4), T0);
    log.write("stdout", bytes.subarray(4, 8), T0);
    log.write("stdout", bytes.subarray(8), T0);
    log.close();
    expect(textsOf()).toEqual(["café ☕"]);
  });

  it("writes a partial line longer than 64 KiB as a line of its own, cut between characters", () => {
    const log = new RotatingLog({ file });
    // "é" is two bytes and the cap is even, so one leading "x" puts the cap inside a character.
    const long = "x" + "é".repeat(MAX_PARTIAL_LINE_BYTES / 2 + 10);
    log.write("stdout", long, T0);
    const first = textsOf();
    expect(first).toHaveLength(1);
    expect(Buffer.byteLength(first[0]!)).toBe(MAX_PARTIAL_LINE_BYTES - 1);
    expect(first[0]).not.toContain("\uFFFD");
    log.write("stdout", "\n", T0);
    log.close();
    const [head, rest] = textsOf();
    expect(head! + rest!).toBe(long);
  });

  it("writes notes as stream `warden`, one line per line of text", () => {
    const log = new RotatingLog({ file });
    log.note("exited with code 1", T0);
    log.note("two\nlines\n", T0);
    log.close();
    expect(linesOf()).toEqual([
      "2026-11-23T04:40:48.123Z warden exited with code 1",
      "2026-11-23T04:40:48.123Z warden two",
      "2026-11-23T04:40:48.123Z warden lines",
    ]);
  });

  it("flushes partial lines of both streams on close; close is idempotent, later writes do nothing", () => {
    const log = new RotatingLog({ file });
    log.write("stdout", "no newline", T0);
    log.write("stderr", "nor here", T0);
    log.close(at(1));
    log.close(at(2));
    log.write("stdout", "late\n", at(3));
    log.note("late", at(3));
    expect(linesOf()).toEqual([
      "2026-11-23T04:40:48.124Z stdout no newline",
      "2026-11-23T04:40:48.124Z stderr nor here",
    ]);
  });

  it("appends to a file that already exists", () => {
    new RotatingLog({ file }).close();
    const first = new RotatingLog({ file });
    first.write("stdout", "first run\n", T0);
    first.close();
    const second = new RotatingLog({ file });
    second.write("stdout", "second run\n", T0);
    second.close();
    expect(textsOf()).toEqual(["first run", "second run"]);
  });
});

describe("RotatingLog rotation", () => {
  const LINE_BYTES = PREFIX_BYTES + numbered(1).length + 1;
  const PER_FILE = Math.floor(1024 / LINE_BYTES);

  it("rotates before a file would pass maxBytes and keeps maxFiles files, newest in name.log", () => {
    const log = new RotatingLog({ file, maxBytes: 1024, maxFiles: 3 });
    for (let n = 1; n <= 100; n++) log.write("stdout", `${numbered(n)}\n`, T0);
    log.close();
    // 100 lines of 42 bytes, 24 per file: four full files and 4 lines; three files kept.
    expect(PER_FILE).toBe(24);
    expect(readdirSync(logsDir).sort()).toEqual(["api.log", "api.log.1", "api.log.2"]);
    expect(textsOf(`${file}.2`)).toEqual(range(49, 72));
    expect(textsOf(`${file}.1`)).toEqual(range(73, 96));
    expect(textsOf()).toEqual(range(97, 100));
    for (const name of readdirSync(logsDir)) {
      expect(statSync(join(logsDir, name)).size).toBeLessThanOrEqual(1024);
    }
  });

  it("rotates in the middle of one chunk and loses no line", () => {
    const log = new RotatingLog({ file, maxBytes: 1024, maxFiles: 10 });
    log.write("stdout", range(1, 100).join("\n") + "\n", T0);
    log.close();
    const files = [5, 4, 3, 2, 1].map((k) => `${file}.${k}`).filter(existsSync);
    const all = [...files, file].flatMap((path) => textsOf(path));
    expect(all).toEqual(range(1, 100));
    expect(files).toHaveLength(4);
  });

  it("keeps the default of name.log and four rotated files", () => {
    expect(DEFAULTS.daemon.logs).toEqual({ maxBytes: 10 * 1024 * 1024, maxFiles: 5 });
    const log = new RotatingLog({ file, maxBytes: 1024 });
    for (let n = 1; n <= 24 * 8; n++) log.write("stdout", `${numbered(n)}\n`, T0);
    log.close();
    expect(readdirSync(logsDir).sort()).toEqual([
      "api.log",
      "api.log.1",
      "api.log.2",
      "api.log.3",
      "api.log.4",
    ]);
    expect(textsOf(`${file}.4`)).toEqual(range(24 * 3 + 1, 24 * 4));
  });

  it("with maxFiles 1 starts the one file over and keeps no rotated file", () => {
    const before = new RotatingLog({ file, maxBytes: 1024, maxFiles: 2 });
    before.write("stdout", `${"x".repeat(2000)}\ny\n`, T0);
    before.close();
    expect(readdirSync(logsDir).sort()).toEqual(["api.log", "api.log.1"]);
    const log = new RotatingLog({ file, maxBytes: 1024, maxFiles: 1 });
    for (let n = 1; n <= 30; n++) log.write("stdout", `${numbered(n)}\n`, T0);
    log.close();
    expect(readdirSync(logsDir)).toEqual(["api.log"]);
    // "y" and lines 1–23 filled the first file; the rotation removed it and the stale api.log.1.
    expect(textsOf()).toEqual(range(24, 30));
  });

  it("removes rotated files beyond maxFiles that a larger setting left behind", () => {
    const before = new RotatingLog({ file, maxBytes: 1024, maxFiles: 5 });
    for (let n = 1; n <= 24 * 5; n++) before.write("stdout", `${numbered(n)}\n`, T0);
    before.close();
    expect(readdirSync(logsDir)).toHaveLength(5);
    const after = new RotatingLog({ file, maxBytes: 1024, maxFiles: 2 });
    after.write("stdout", `${numbered(999)}\n`, T0);
    after.close();
    expect(readdirSync(logsDir).sort()).toEqual(["api.log", "api.log.1"]);
    expect(textsOf(`${file}.1`)).toEqual(range(24 * 4 + 1, 24 * 5));
    expect(textsOf()).toEqual([numbered(999)]);
  });

  it("writes a line longer than maxBytes whole, into a file of its own", () => {
    const log = new RotatingLog({ file, maxBytes: 1024, maxFiles: 3 });
    log.write("stdout", "short\n", T0);
    log.write("stdout", `${"y".repeat(3000)}\n`, T0);
    log.write("stdout", "after\n", T0);
    log.close();
    expect(textsOf(`${file}.2`)).toEqual(["short"]);
    expect(textsOf(`${file}.1`)).toEqual(["y".repeat(3000)]);
    expect(textsOf()).toEqual(["after"]);
  });
});

describe("RotatingLog options", () => {
  it.each([
    [{ maxBytes: 1023 }, /maxBytes must be an integer of at least 1024, got 1023/],
    [{ maxBytes: 2048.5 }, /maxBytes .* got 2048\.5/],
    [{ maxBytes: Number.NaN }, /maxBytes .* got NaN/],
    [{ maxFiles: 0 }, /maxFiles must be an integer of at least 1 .* got 0/],
    [{ maxFiles: 1.5 }, /maxFiles .* got 1\.5/],
    [{ maxFiles: -3 }, /maxFiles .* got -3/],
  ])("rejects %o naming the value", (options, message) => {
    expect(() => new RotatingLog({ file, ...options })).toThrow(message);
  });

  it("accepts the smallest values", () => {
    expect(() => new RotatingLog({ file, maxBytes: 1024, maxFiles: 1 })).not.toThrow();
  });
});

describe("RotatingLog write failures", () => {
  it("re-creates the folder and the file when they were deleted under it", () => {
    const errors: unknown[] = [];
    const log = new RotatingLog({ file, onError: (error) => errors.push(error) });
    log.write("stdout", "before\n", T0);
    rmSync(logsDir, { recursive: true });
    log.write("stdout", "after\n", at(1500));
    log.close();
    expect(textsOf()).toEqual(["after"]);
    expect(errors).toEqual([]);
  });

  it("never throws: reports the first failure of a run once, and writes again once it can", () => {
    const errors: unknown[] = [];
    const log = new RotatingLog({
      file,
      onError: (error) => {
        errors.push(error);
        throw new Error("the reporter fails too");
      },
    });
    log.write("stdout", "one\n", T0);
    // The folder is gone and a file stands in its place: it cannot be created again.
    rmSync(logsDir, { recursive: true });
    writeFileSync(logsDir, "not a folder");
    expect(() => log.write("stdout", "lost 1\n", at(2000))).not.toThrow();
    expect(() => log.write("stderr", "lost 2\n", at(3000))).not.toThrow();
    expect(() => log.note("lost 3", at(4000))).not.toThrow();
    expect(errors).toHaveLength(1);
    expect((errors[0] as NodeJS.ErrnoException).code).toMatch(/^(EEXIST|ENOTDIR)$/);

    rmSync(logsDir);
    log.write("stdout", "two\n", at(5000));
    expect(textsOf()).toEqual(["two"]);

    // A new run of failures is reported again.
    rmSync(logsDir, { recursive: true });
    writeFileSync(logsDir, "not a folder");
    log.write("stdout", "lost 4\n", at(7000));
    expect(errors).toHaveLength(2);
    expect(() => log.close(at(8000))).not.toThrow();
  });
});
