/**
 * A journal that cannot be written, through the built CLI (docs/journal.md, "Degraded mode"):
 * `warden up` runs under a small file-size limit (RLIMIT_FSIZE, set with `prlimit`; Node ignores
 * SIGXFSZ, so a write past it fails with EFBIG as one on a full disk fails with ENOSPC), so the
 * journal's writes start failing after a while. The manager says so (its log, `/readyz`,
 * `GET /v1/status`, `warden status`), answers publishes 503 but still delivers them, keeps
 * supervising (a killed daemon is restarted), and once the limit is lifted writes everything it
 * kept and is ready again.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { eventuallyAsync, runningGroup, workspacePerTest } from "../support/manager-run.ts";
import { processesInGroup } from "../support/orphans.ts";
import { eventually } from "../support/process-harness.ts";
import { repoRoot } from "../support/run-warden.ts";

const workspace = workspacePerTest();

/** The parts of the control API's answers this test reads. */
interface Answer {
  error: { code: string; message: string };
  notReady: string[];
  problems?: string[];
  manager: { problems?: string[] };
}
const hasPrlimit = spawnSync("prlimit", ["--version"]).status === 0;

/** `warden up` runs started here, SIGKILLed after each test if still running. */
const started: ReturnType<typeof spawn>[] = [];
afterEach(async () => {
  for (const child of started.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
  }
});

/** Files the manager writes may not grow past this: the journal's WAL reaches it soon. */
const FILE_SIZE_LIMIT = 1024 * 1024;

describe.skipIf(!hasPrlimit)("journal faults: a journal that cannot be written", () => {
  it("keeps supervising and delivering, says it is degraded, and writes what it kept once it can", async () => {
    const space = workspace({});
    const seenFile = join(space.dir, "seen.jsonl");
    writeFileSync(
      space.config,
      JSON.stringify({
        server: { port: 0 },
        daemons: {
          recorder: {
            module: join(repoRoot, "test/fixtures/journal/recorder.mjs"),
            options: { file: seenFile, type: "WORK" },
          },
          sleeper: { command: "sleep", args: ["1000"] },
        },
      }),
    );
    // prlimit sets the soft limit and execs node: the child is the manager itself.
    const child = spawn(
      "prlimit",
      [
        `--fsize=${FILE_SIZE_LIMIT}:`,
        process.execPath,
        join(repoRoot, "bin/warden.js"),
        "up",
        "--config",
        space.config,
      ],
      { cwd: space.dir, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    started.push(child);
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.stdout.resume();
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    await eventually(() => /daemons running/.test(stderr) || undefined, 20_000, "daemons running");
    const { url } = JSON.parse(readFileSync(join(space.stateDir, "manager.json"), "utf8"));
    const token = readFileSync(join(space.stateDir, "token"), "utf8").trim();
    const api = async (path: string, body?: unknown) => {
      const response = await fetch(`${url}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as Answer };
    };
    const seen = () =>
      existsSync(seenFile)
        ? readFileSync(seenFile, "utf8")
            .split("\n")
            .filter((line) => line !== "")
            .map((line) => (JSON.parse(line) as { data: { n: number } }).data.n)
        : [];

    // Publish one at a time until the journal cannot take one.
    const acknowledged: number[] = [];
    let refused: { n: number; body: Answer } | undefined;
    for (let n = 0; n < 5000 && refused === undefined; n++) {
      const answer = await api("/v1/events", { type: "WORK", data: { n } });
      if (answer.status === 201) acknowledged.push(n);
      else {
        expect(answer.status).toBe(503);
        refused = { n, body: answer.body };
      }
    }
    expect(refused, "a publish refused once the journal's file reached the limit").toBeDefined();
    expect(refused!.body.error.code).toBe("journal_unavailable");
    expect(refused!.body.error.message).toContain(
      "was delivered to the running daemons but not journaled",
    );
    const journal = join(space.stateDir, "journal.db");
    const problem = new RegExp(
      `^degraded: events are not journaled \\(journal ${journal.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} `,
    );

    // It says so: in its log, on /readyz, in the status.
    await eventually(
      () =>
        /degraded: events are not journaled.*the manager keeps supervising/.test(stderr) ||
        undefined,
      5_000,
      "the degradation in the log",
    );
    const ready = await api("/readyz");
    expect(ready.status).toBe(503);
    expect(ready.body.notReady).toEqual([]);
    expect(ready.body.problems).toEqual([expect.stringMatching(problem)]);
    const status = await api("/v1/status");
    expect(status.body.manager.problems).toEqual([expect.stringMatching(problem)]);
    const summary = await space.run(["status"]);
    expect(summary.code, summary.stderr).toBe(0);
    expect(summary.stdout).toMatch(/· degraded: events are not journaled \(journal /);
    console.log(
      `[journal fault: degraded] after ${acknowledged.length} events: ${ready.body.problems?.[0]}`,
    );

    // It still delivers: the refused event and those published meanwhile reach the subscriber.
    const meanwhile: number[] = [];
    for (let n = 10_000; n < 10_002; n++) {
      const answer = await api("/v1/events", { type: "WORK", data: { n } });
      expect(answer.status).toBe(503);
      meanwhile.push(n);
    }
    const unjournaled = [refused!.n, ...meanwhile];
    await eventually(
      () => (unjournaled.every((n) => seen().includes(n)) ? true : undefined),
      5_000,
      "the unjournaled events delivered",
    );

    // It still supervises: a daemon killed from outside is restarted.
    const pgid = await runningGroup(space, "sleeper");
    process.kill(-pgid, "SIGKILL");
    const restarted = await eventually(
      () => {
        const pid = space.recordedPid("sleeper");
        return pid !== undefined && pid !== pgid && processesInGroup(pid).length > 0
          ? pid
          : undefined;
      },
      10_000,
      "the sleeper restarted",
    );
    space.groups.push(restarted);

    // The limit lifted, it writes what it kept and is ready again.
    expect(spawnSync("prlimit", ["--pid", String(child.pid), "--fsize=unlimited:"]).status).toBe(0);
    await eventuallyAsync(
      async () => ((await api("/readyz")).status === 200 ? true : undefined),
      10_000,
      "/readyz to answer 200 again",
    );
    expect(stderr).toMatch(/journal .*journal\.db is written again/);
    expect((await api("/v1/status")).body.manager.problems).toBeUndefined();
    expect((await api("/v1/events", { type: "WORK", data: { n: 20_000 } })).status).toBe(201);

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    const history = await space.run([
      "events",
      "--since",
      "1h",
      "--type",
      "WORK",
      "--limit",
      "100000",
      "--json",
    ]);
    expect(history.code, history.stderr).toBe(0);
    const journaled = new Set(
      history.stdout
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => (JSON.parse(line) as { data: { n: number } }).data.n),
    );
    const expected = [...acknowledged, ...unjournaled, 20_000];
    expect(expected.filter((n) => !journaled.has(n))).toEqual([]);
  }, 60_000);
});
