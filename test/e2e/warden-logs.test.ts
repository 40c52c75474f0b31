import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RotatingLog } from "../../actors/rotating-log.ts";
import { logFileOf } from "../../actors/log-files.ts";
import { runWarden } from "../support/run-warden.ts";

let dir: string;
let config: string;
let stateDir: string;
const started: ReturnType<typeof runWarden>[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "warden-logs-"));
  stateDir = join(dir, "state");
  writeFileSync(join(dir, "daemon.mjs"), "export default { start() {}, stop() {} };\n");
  config = join(dir, "warden.config.json");
  // Only process daemons have log files; `ticker` runs inside the manager.
  const daemon = { command: "node", args: ["server.js"] };
  const ticker = { module: "./daemon.mjs" };
  writeFileSync(
    config,
    JSON.stringify({ stateDir: "state", daemons: { api: daemon, worker: daemon, ticker } }),
  );
});

afterEach(() => {
  // A failed test must not leave a follower behind; each was started by this file, by PID.
  for (const run of started.splice(0)) {
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill("SIGKILL");
  }
  rmSync(dir, { recursive: true, force: true });
});

function wardenLogs(...args: string[]) {
  const run = runWarden(["logs", ...args, "--config", config], dir);
  started.push(run);
  return run;
}

/** Waits for `pattern` in the output; fails at once if warden exits first. */
async function printed(run: ReturnType<typeof runWarden>, pattern: RegExp): Promise<void> {
  const waiting = run.waitForOutput(pattern, 10_000);
  waiting.catch(() => {}); // the race below reports it
  const exited = run.exited.then((code) => {
    const { stdout, stderr } = run.output();
    throw new Error(
      `exited ${code} before printing ${pattern}; stdout:\n${stdout}\nstderr:\n${stderr}`,
    );
  });
  await Promise.race([waiting, exited]);
}

const numbered = (n: number) => `line ${String(n).padStart(4, "0")}`;
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => numbered(from + i));
/** What `warden logs` prints: the stored lines, each `<time> stdout <text>`. */
const textsOf = (stdout: string) =>
  stdout
    .split("\n")
    .slice(0, -1)
    .map((line) => line.replace(/^\S+ stdout /, ""));

function writeLines(log: RotatingLog, from: number, to: number): void {
  for (let n = from; n <= to; n++) log.write("stdout", `${numbered(n)}\n`);
}

describe("warden logs", () => {
  it("prints the last 10 lines by default and the last N with -n, exactly as stored", async () => {
    const log = new RotatingLog({ file: logFileOf(stateDir, "api") });
    log.write("stdout", "first\n", new Date("2026-11-23T04:40:48.123Z"));
    writeLines(log, 1, 30);
    log.close();

    const [byDefault, last, all, none] = [
      wardenLogs("api"),
      wardenLogs("api", "-n", "3"),
      wardenLogs("api", "--lines", "1000"),
      wardenLogs("api", "-n", "0"),
    ];
    expect(await Promise.all([byDefault, last, all, none].map((run) => run.exited))).toEqual([
      0, 0, 0, 0,
    ]);
    expect(textsOf(byDefault.output().stdout)).toEqual(range(21, 30));
    expect(textsOf(last.output().stdout)).toEqual(range(28, 30));
    expect(last.output().stdout).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z stdout line 0028\n/,
    );
    expect(all.output().stdout).toMatch(/^2026-11-23T04:40:48\.123Z stdout first\n/);
    expect(none.output().stdout).toBe("");
  });

  it("takes older lines from the rotated files when the current one has fewer than N", async () => {
    const log = new RotatingLog({ file: logFileOf(stateDir, "api"), maxBytes: 1024, maxFiles: 4 });
    // 42-byte lines, 24 per file: files hold 25–48, 49–72, 73–96 and 97–100.
    writeLines(log, 1, 100);
    log.close();

    const [some, all] = [wardenLogs("api", "-n", "30"), wardenLogs("api", "-n", "500")];
    expect(await some.exited).toBe(0);
    expect(textsOf(some.output().stdout)).toEqual(range(71, 100));
    expect(await all.exited).toBe(0);
    expect(textsOf(all.output().stdout)).toEqual(range(25, 100));
  });

  it("exits 2 for an unknown daemon, suggesting the closest name", async () => {
    const run = wardenLogs("apj");
    expect(await run.exited).toBe(2);
    expect(run.output().stderr).toMatch(
      /no daemon named "apj" in .*warden\.config\.json \(did you mean "api"\?\)/,
    );
  });

  it("exits 2 for a -n that is not a non-negative integer", async () => {
    const values = ["abc", "-1", "1.5"];
    const runs = values.map((value) => wardenLogs("api", "-n", value));
    expect(await Promise.all(runs.map((run) => run.exited))).toEqual(values.map(() => 2));
    runs.forEach((run, i) => {
      expect(run.output().stderr).toContain(
        `-n/--lines: expected a non-negative integer, got ${JSON.stringify(values[i])}`,
      );
    });
  });

  it("lists the configuration's daemons when no name is close to an unknown one", async () => {
    const run = wardenLogs("zzzzzzzz");
    expect(await run.exited).toBe(2);
    expect(run.output().stderr).toMatch(
      /no daemon named "zzzzzzzz" in .*warden\.config\.json; its daemons: api, worker, ticker\n/,
    );
  });

  it("says where an in-process daemon's lines go instead of 'no logs yet', and exits 0", async () => {
    const [plain, following] = [wardenLogs("ticker"), wardenLogs("ticker", "-f")];
    expect(await Promise.all([plain.exited, following.exited])).toEqual([0, 0]);
    for (const run of [plain, following]) {
      const { stdout, stderr } = run.output();
      expect(stdout).toBe("");
      expect(stderr).not.toContain("no logs yet");
      expect(stderr).toContain(
        'warden: ticker is an in-process daemon (module "./daemon.mjs"): it has no log file; ' +
          "what it logs through ctx.logger goes to the standard error of `warden up` " +
          "(the terminal it runs in, or the journal when systemd runs it)",
      );
    }
  });

  it("shows control characters of the stored lines instead of sending them to the terminal", async () => {
    const log = new RotatingLog({ file: logFileOf(stateDir, "api") });
    log.write("stdout", "\x1b]0;pwned\x07\x1b[2Jred\x00\ttab\n");
    log.close();
    const run = wardenLogs("api");
    expect(await run.exited).toBe(0);
    expect(textsOf(run.output().stdout)).toEqual(["\\x1b]0;pwned\\x07\\x1b[2Jred\\x00\ttab"]);
  });

  it("says there are no logs yet, and exits 0", async () => {
    const run = wardenLogs("worker");
    expect(await run.exited).toBe(0);
    const { stdout, stderr } = run.output();
    expect(stdout).toBe("");
    expect(stderr).toContain(
      `warden: no logs yet for worker (${join("state", "logs", "worker.log")})`,
    );
  });
});

describe("warden logs -f", () => {
  it("prints lines appended later, across rotations, once each, until SIGTERM ends it with 0", async () => {
    const log = new RotatingLog({ file: logFileOf(stateDir, "api"), maxBytes: 1024, maxFiles: 20 });
    writeLines(log, 1, 3);
    const run = wardenLogs("api", "-f", "-n", "2");
    await printed(run, /line 0003\n/);

    writeLines(log, 4, 20); // within the first file
    await printed(run, /line 0020\n/);
    writeLines(log, 21, 60); // one rotation
    await printed(run, /line 0060\n/);
    // Several rotations between two polls: the lines of the files in between come too.
    writeLines(log, 61, 200);
    log.write("stdout", "partial line ");
    await printed(run, /line 0200\n/);
    log.write("stdout", "now complete\n");
    await printed(run, /partial line now complete\n/);
    log.close();

    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(textsOf(run.output().stdout)).toEqual([...range(2, 200), "partial line now complete"]);
  });

  it("shows control characters of followed lines too", async () => {
    const log = new RotatingLog({ file: logFileOf(stateDir, "api") });
    log.write("stdout", "before\n");
    const run = wardenLogs("api", "-f");
    await printed(run, /before\n/);
    log.write("stdout", "\x1b[31mlater\x9b\n");
    await printed(run, /later/);
    log.close();
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(textsOf(run.output().stdout)).toEqual(["before", "\\x1b[31mlater\\x9b"]);
  });

  it("follows a log file that starts over with maxFiles 1", async () => {
    const log = new RotatingLog({ file: logFileOf(stateDir, "api"), maxBytes: 1024, maxFiles: 1 });
    writeLines(log, 1, 1);
    const run = wardenLogs("api", "-f");
    await printed(run, /line 0001\n/);
    // 20 lines are 840 bytes: the file starts over in every burst but the first.
    for (let n = 2; n < 62; n += 20) {
      writeLines(log, n, n + 19);
      await printed(run, new RegExp(`${numbered(n + 19)}\\n`));
    }
    log.close();
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(textsOf(run.output().stdout)).toEqual(range(1, 61));
  });

  it("waits for a log that does not exist yet, then follows it; SIGINT ends it with 0", async () => {
    const run = wardenLogs("worker", "--follow");
    await printed(run, /no logs yet for worker .*; waiting for them/);
    expect(existsSync(join(stateDir, "logs"))).toBe(false);

    mkdirSync(join(stateDir, "logs"), { recursive: true });
    const log = new RotatingLog({ file: logFileOf(stateDir, "worker") });
    writeLines(log, 1, 5);
    await printed(run, /line 0005\n/);
    log.close();

    run.child.kill("SIGINT");
    expect(await run.exited).toBe(0);
    expect(textsOf(run.output().stdout)).toEqual(range(1, 5));
  });
});
