/**
 * `warden dlq list|retry|purge` as a user runs them (SPEC §5, §8): a module daemon that throws
 * on JOB, `warden emit JOB`, the entry retried by DLQ_RETRY and parked, shown by `dlq list`,
 * retried and purged by hand; without a manager, `dlq list` reads the journal and the others
 * exit 3.
 */
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { eventuallyAsync, workspacePerTest } from "../support/manager-run.ts";
import { repoRoot } from "../support/run-warden.ts";

const workspace = workspacePerTest();

interface Letter {
  id: string;
  event: { type: string; data: unknown };
  subscriber: string;
  error: string;
  attempts: number;
  lastFailedAt: number;
  parked: boolean;
}

describe("warden dlq", () => {
  it("lists, retries and purges the dead letters of a subscriber that always throws", async () => {
    const space = workspace({
      server: { port: 0 },
      dlq: { maxAttempts: 2, backoff: { initialMs: 100, maxMs: 100 } },
      daemons: { worker: { module: "./failing-worker.mjs" } },
    });
    copyFileSync(
      join(repoRoot, "test/fixtures/dlq/failing-worker.mjs"),
      join(space.dir, "failing-worker.mjs"),
    );
    const up = space.up();
    await up.waitForOutput(/daemons? running/);

    const emitted = await space.run(["emit", "JOB", "--data", '{"n":1}']);
    expect(emitted.code).toBe(0);
    const list = async () => {
      const { code, stdout } = await space.run(["dlq", "list", "--json"]);
      expect(code).toBe(0);
      return JSON.parse(stdout) as Letter[];
    };
    const [parked] = await eventuallyAsync(
      async () => {
        const letters = await list();
        return letters.length === 1 && letters[0]!.parked ? letters : undefined;
      },
      15_000,
      "the JOB dead letter to be parked",
    );
    expect(parked).toMatchObject({
      subscriber: "worker",
      error: 'cannot do job {"n":1}',
      attempts: 2,
      event: { type: "JOB", data: { n: 1 } },
    });

    const table = await space.run(["dlq", "list", "--type", "JOB"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/ID\s+TYPE\s+SUBSCRIBER/);
    expect(table.stdout).toContain(parked!.id);
    expect(table.stdout).toContain("1 dead letter, 1 parked");
    expect((await space.run(["dlq", "list", "--type", "OTHER", "--json"])).stdout.trim()).toBe(
      "[]",
    );

    const retried = await space.run(["dlq", "retry", parked!.id]);
    expect(retried.code).toBe(0);
    expect(retried.stdout.trim()).toBe(`retried 1 dead letter: ${parked!.id}`);
    await eventuallyAsync(
      async () => {
        const [letter] = await list();
        return letter!.parked && letter!.lastFailedAt > parked!.lastFailedAt ? true : undefined;
      },
      15_000,
      "the retried dead letter to fail and park again",
    );

    const unknown = await space.run(["dlq", "purge", "dl-999"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("dl-999");
    expect((await space.run(["dlq", "retry"])).code).toBe(2);

    const purged = await space.run(["dlq", "purge", "--all", "--json"]);
    expect(purged.code).toBe(0);
    expect(JSON.parse(purged.stdout)).toEqual({ purged: [parked!.id] });
    expect(await list()).toEqual([]);

    up.child.kill("SIGTERM");
    expect(await up.exited).toBe(0);
    const offline = await space.run(["dlq", "list", "--json"]);
    expect(offline.code).toBe(0);
    expect(JSON.parse(offline.stdout)).toEqual([]);
    expect(offline.stderr).toContain("no manager is running");
    expect((await space.run(["dlq", "purge", "--all"])).code).toBe(3);
  }, 60_000);

  it("keeps the dead letters in the journal: a manager started again has them, and so has `dlq list` without one", async () => {
    const space = workspace({
      server: { port: 0 },
      dlq: { maxAttempts: 1 },
      daemons: { worker: { module: "./failing-worker.mjs" } },
    });
    copyFileSync(
      join(repoRoot, "test/fixtures/dlq/failing-worker.mjs"),
      join(space.dir, "failing-worker.mjs"),
    );
    const first = space.up();
    await first.waitForOutput(/daemons? running/);
    expect((await space.run(["emit", "JOB", "--data", "2"])).code).toBe(0);
    const letters = async () =>
      JSON.parse((await space.run(["dlq", "list", "--json"])).stdout) as Letter[];
    const [letter] = await eventuallyAsync(
      async () => ((await letters()).length === 1 ? letters() : undefined),
      15_000,
      "the JOB dead letter",
    );
    expect(letter).toMatchObject({ parked: true, attempts: 1, event: { data: 2 } });
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);

    const offline = await space.run(["dlq", "list"]);
    expect(offline.code).toBe(0);
    expect(offline.stdout).toContain(letter!.id);
    expect(offline.stderr).toContain("journal.db");

    const second = space.up();
    await second.waitForOutput(/daemons? running/);
    expect(await letters()).toEqual([letter]);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  }, 60_000);
});
