/**
 * `warden simulate` as a user runs it (SPEC §12), in separate processes: the same seed and inputs
 * give the same event log byte for byte and the same digest in two processes; `--replay` matches
 * its own log and names the first line of a tampered one; bad usage exits 2. The built CLI runs
 * (`node bin/warden.js`), as for the other end-to-end tests.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FAULT_KINDS } from "../../runtime/simulate/fault-spec.ts";
import { runWarden } from "../support/run-warden.ts";

const dir = mkdtempSync(join(tmpdir(), "warden-simulate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `warden simulate …args`; its exit code and output. */
async function simulate(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = runWarden(["simulate", ...args]);
  const code = await run.exited;
  return { code, ...run.output() };
}

const RUN = ["--catalog", "ringrift", "--duration", "2h", "--json"];

describe("warden simulate", () => {
  it("gives the same log and digest for the same seed in two processes, another for another seed", async () => {
    const [a, b, other] = await Promise.all([
      simulate([...RUN, "--seed", "5", "--events", join(dir, "a.jsonl")]),
      simulate([...RUN, "--seed", "5", "--events", join(dir, "b.jsonl")]),
      simulate([...RUN, "--seed", "6"]),
    ]);
    expect([a.code, b.code, other.code], a.stderr + other.stderr).toEqual([0, 0, 0]);
    const summaryA = JSON.parse(a.stdout);
    const summaryB = JSON.parse(b.stdout);
    expect(summaryA.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(summaryB.digest).toBe(summaryA.digest);
    expect(JSON.parse(other.stdout).digest).not.toBe(summaryA.digest);
    const logA = readFileSync(join(dir, "a.jsonl"), "utf8");
    expect(readFileSync(join(dir, "b.jsonl"), "utf8")).toBe(logA);
    expect(logA.trim().split("\n")).toHaveLength(summaryA.events + 1); // the header, then the events
    // The summary of SPEC §12, every fault kind named.
    expect(Object.keys(summaryA)).toEqual(
      expect.arrayContaining([
        "seed",
        "duration",
        "daemons",
        "events",
        "faults",
        "restarts",
        "failed",
        "invariants",
        "digest",
      ]),
    );
    expect(summaryA).toMatchObject({ seed: 5, duration: "2h", daemons: 63 });
    expect(Object.keys(summaryA.faults)).toEqual([...FAULT_KINDS]);
    expect(summaryA.invariants.violations).toEqual([]);
  });

  it("--replay matches its own log, and names the first line of a tampered one", async () => {
    const log = join(dir, "replay.jsonl");
    const made = await simulate([
      "--catalog",
      "ringrift",
      "--profile",
      "selfplay",
      "--duration",
      "3h",
      "--seed",
      "3",
      "--events",
      log,
    ]);
    expect(made.code, made.stderr).toBe(0);
    const lines = readFileSync(log, "utf8").trim().split("\n");
    const tampered = join(dir, "tampered.jsonl");
    const at = Math.floor(lines.length / 2);
    writeFileSync(
      tampered,
      [
        ...lines.slice(0, at),
        lines[at]!.replace(/"time":\d+/, '"time":1'),
        ...lines.slice(at + 1),
      ].join("\n") + "\n",
    );
    const [same, changed] = await Promise.all([
      simulate(["--replay", log]),
      simulate(["--replay", tampered]),
    ]);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toMatch(/replay of .* matches: \d+ events, seed 3/);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain(`differs at line ${at + 1}`);
  });

  it("prints a timeline and the invariants' verdict for people", async () => {
    const run = await simulate([
      "--catalog",
      "ringrift",
      "--profile",
      "coordinator",
      "--duration",
      "12h",
      "--seed",
      "42",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Timeline");
    expect(run.stdout).toMatch(/up {6}all \d+ daemons RUNNING/);
    expect(run.stdout).toMatch(/FAULT {3}\S+: crash/);
    expect(run.stdout).toMatch(/back {4}\S+ RUNNING again after/);
    expect(run.stdout).toMatch(/invariants: 9 invariants, \d+ checks, no violation/);
  });

  it("--inspect serves the run to the inspector, then stays up until SIGINT", async () => {
    const run = runWarden(
      ["simulate", "--catalog", "ringrift", "--profile", "selfplay"].concat([
        "--duration",
        "30m",
        "--seed",
        "4",
        "--inspect",
        "--speed",
        "100000",
      ]),
    );
    try {
      await run.waitForOutput(/the run is over/, 30_000);
      const login = run.output().stdout.split("\n")[0]!;
      expect(login).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/inspector\/login\?token=\S+$/);
      // The login becomes a session cookie, which opens the inspector's data.
      const entered = await fetch(login, { redirect: "manual" });
      const cookie = entered.headers.get("set-cookie")!.split(";")[0]!;
      const status = await fetch(new URL("/inspector/api/status", login), { headers: { cookie } });
      expect(status.status).toBe(200);
      const { daemons } = (await status.json()) as { daemons: { name: string; state: string }[] };
      expect(daemons.map((d) => d.name)).toContain("IDLE_RESOURCE");
      expect(new Set(daemons.map((d) => d.state))).toEqual(new Set(["STOPPED"]));
    } finally {
      run.child.kill("SIGINT");
    }
    expect(await run.exited).toBe(0);
  });

  it("exits 2 naming an unknown fault, and a bad duration", async () => {
    const [fault, duration] = await Promise.all([
      simulate(["--faults", "crush=0.1"]),
      simulate(["--duration", "soon"]),
    ]);
    expect(fault.code).toBe(2);
    expect(fault.stderr).toContain('unknown fault "crush" (did you mean "crash"?)');
    expect(duration.code).toBe(2);
    expect(duration.stderr).toContain('--duration: "soon" is not a duration');
  });
});
