/**
 * The journal through the built CLI (docs/journal.md): `warden emit` is journaled through the
 * running manager, or, with none running, appended to the journal by the CLI itself and
 * delivered by the next `warden up` to a subscriber that had subscribed before; `warden events
 * --since` reads the journal's history, with or without a manager, across restarts.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Envelope } from "../../machines/envelope.ts";
import { eventually } from "../support/process-harness.ts";
import { workspacePerTest, type Workspace } from "../support/manager-run.ts";
import { repoRoot } from "../support/run-warden.ts";

const workspace = workspacePerTest();
const recorder = join(repoRoot, "test/fixtures/journal/recorder.mjs");

/** A workspace whose daemon `recorder` writes every JOB it receives to `seen.jsonl`. */
function recording(): { space: Workspace; seen: () => Envelope[] } {
  const space = workspace({});
  const file = join(space.dir, "seen.jsonl");
  const daemons = { recorder: { module: recorder, options: { file } } };
  writeFileSync(space.config, JSON.stringify({ server: { port: 0 }, daemons }));
  const seen = () =>
    existsSync(file)
      ? readFileSync(file, "utf8")
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line) as Envelope)
      : [];
  return { space, seen };
}

async function up(space: Workspace) {
  const run = space.up();
  await run.waitForOutput(/daemons? running/);
  return run;
}

async function stop(run: ReturnType<Workspace["up"]>) {
  run.child.kill("SIGTERM");
  expect(await run.exited).toBe(0);
}

function jsonLines(text: string): Envelope[] {
  return text
    .trim()
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Envelope);
}

describe("warden emit and the journal", () => {
  it("with a manager: exits 0 once journaled; the subscriber sees it; events --since shows it", async () => {
    const { space, seen } = recording();
    const manager = await up(space);
    const emit = await space.run(["emit", "JOB", "--data", '{"n":1}']);
    expect(emit.code, emit.stderr).toBe(0);
    const id = emit.stdout.trim();
    await eventually(() => seen().some((event) => event.id === id) || undefined, 10_000, "JOB");
    const history = await space.run(["events", "--since", "1h", "--type", "JOB", "--json"]);
    expect(history.code, history.stderr).toBe(0);
    expect(jsonLines(history.stdout)).toEqual([
      { id, type: "JOB", source: "api", time: expect.any(Number), data: { n: 1 } },
    ]);
    await stop(manager);
  });

  it("without a manager: exits 0, journaled for the next manager, which delivers it; history spans restarts", async () => {
    const { space, seen } = recording();
    const first = await up(space);
    const before = await space.run(["emit", "JOB", "--data", '{"n":1}']);
    expect(before.code, before.stderr).toBe(0);
    await eventually(() => seen().length === 1 || undefined, 10_000, "the first JOB");
    await stop(first);

    const offline = await space.run(["emit", "JOB", "--data", '{"n":2}']);
    expect(offline.code, offline.stderr).toBe(0);
    const id = offline.stdout.trim();
    expect(offline.stderr).toMatch(
      /^warden: no manager is running: JOB is journaled in \.warden\/journal\.db and will be delivered when a manager next runs$/m,
    );
    // With no manager, the history is read from the journal: the first JOB is there.
    const meanwhile = await space.run(["events", "--since", "1h", "--type", "JOB", "--json"]);
    expect(meanwhile.code, meanwhile.stderr).toBe(0);
    expect(jsonLines(meanwhile.stdout).map((event) => event.data)).toEqual([{ n: 1 }]);

    const second = await up(space);
    await eventually(() => seen().length === 2 || undefined, 10_000, "the second JOB");
    expect(seen().map((event) => [event.data, event.source])).toEqual([
      [{ n: 1 }, "api"],
      [{ n: 2 }, "api"],
    ]);
    expect(seen()[1]!.id).toBe(id);
    const history = await space.run(["events", "--since", "1h", "--type", "JOB", "--json"]);
    expect(jsonLines(history.stdout).map((event) => event.data)).toEqual([{ n: 1 }, { n: 2 }]);
    await stop(second);
  });
});
