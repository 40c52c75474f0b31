/**
 * The built-in catalog as a user meets it (SPEC §6, issue P7): `warden catalog`, `validate`
 * and `up` with `catalog: "ringrift"`, unbound and deprecated daemons, profiles and
 * `--profile auto`.
 */
import { afterEach, describe, expect, it } from "vitest";
import { workspacePerTest } from "../support/manager-run.ts";

const workspace = workspacePerTest();
const sleeper = { command: "sleep", args: ["600"] };

afterEach(() => {
  delete process.env.WARDEN_TEST_ROLE;
});

describe("warden catalog", () => {
  it("--json prints the 63 daemon types, saying which the configuration binds", async () => {
    const space = workspace({ catalog: "ringrift", daemons: { AUTO_SYNC: sleeper } });
    const { code, stdout } = await space.run(["catalog", "--json"]);
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as { name: string; bound: boolean; builtIn: boolean }[];
    expect(rows).toHaveLength(63);
    expect(rows.find((row) => row.name === "AUTO_SYNC")).toMatchObject({ bound: true });
    expect(rows.find((row) => row.name === "AUTO_EXPORT")).toMatchObject({ bound: false });
    expect(rows.find((row) => row.name === "DAEMON_WATCHDOG")).toMatchObject({ builtIn: true });
  });

  it("--profile shows a profile's members and dependencies as tables by category", async () => {
    const space = workspace({ catalog: "ringrift", daemons: {} });
    const { code, stdout } = await space.run(["catalog", "--profile", "ephemeral"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^Core Infrastructure\nNAME +BOUND +DEPENDS ON +DESCRIPTION\nEVENT_ROUTER +built-in/,
    );
    expect(stdout).toMatch(
      /Data Synchronization\n.*\nEPHEMERAL_SYNC +no +EVENT_ROUTER +Aggressive 5s sync/,
    );
    expect(stdout.match(/^[A-Z_]+ {2}/gm)).toHaveLength(4); // two headers, two daemons
  });
});

describe("a configuration with the catalog", () => {
  it("validate --profile names every unbound member and how to bind it, exit 2", async () => {
    const space = workspace({ catalog: "ringrift", daemons: { EPHEMERAL_SYNC: sleeper } });
    expect((await space.run(["validate", "--profile", "ephemeral"])).code).toBe(0);
    const { code, stderr } = await space.run(["validate", "--profile", "selfplay"]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      'daemons.IDLE_RESOURCE: a catalog daemon (Idle Resource) with nothing bound to run it; bind it with "module"',
    );
    expect(stderr).toContain("daemons.AUTO_SYNC: a catalog daemon (Auto Sync)");
  });

  it("up refuses an unbound dependency before starting anything", async () => {
    const space = workspace({ catalog: "ringrift", daemons: { S3_BACKUP: sleeper } });
    const run = space.up();
    expect(await run.exited).toBe(2);
    const { stderr, stdout } = run.output();
    expect(stderr).toContain("daemons.MODEL_DISTRIBUTION: a catalog daemon (Model Distribution)");
    expect(stderr).toContain("(needed by S3_BACKUP)");
    expect(stdout).not.toContain("STARTING");
  });

  it("up starts bound daemons with the built-ins they need, warning of a deprecated one", async () => {
    const space = workspace({
      catalog: "ringrift",
      server: { port: 0 },
      daemons: { AUTO_SYNC: sleeper, SYNC_COORDINATOR: sleeper },
    });
    const run = space.up();
    await run.waitForOutput(/6 daemons running/);
    const { stderr } = run.output();
    expect(stderr).toContain(
      "warden: warning: SYNC_COORDINATOR is deprecated: use AUTO_SYNC instead (removal Q2 2026)",
    );
    const status = await space.run(["status", "--json"]);
    const names = (
      JSON.parse(status.stdout) as { daemons: { name: string; state: string }[] }
    ).daemons
      .filter((daemon) => daemon.state === "RUNNING")
      .map((daemon) => daemon.name)
      .sort();
    expect(names).toEqual([
      "AUTO_SYNC",
      "CROSS_PROCESS_POLLER",
      "DLQ_RETRY",
      "EVENT_ROUTER",
      "HEALTH_SERVER",
      "SYNC_COORDINATOR",
    ]);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  });

  it("up --profile auto runs the first matching rule's profile and says why; none is exit 2", async () => {
    const space = workspace({
      catalog: "ringrift",
      server: { port: 0 },
      daemons: { EPHEMERAL_SYNC: sleeper },
      profileRules: [
        { profile: "selfplay", when: { env: { WARDEN_TEST_ROLE: "selfplay" } } },
        { profile: "ephemeral", when: { env: { WARDEN_TEST_ROLE: "vast-*" } } },
      ],
    });
    const none = space.up(["--profile", "auto"]);
    expect(await none.exited).toBe(2);
    expect(none.output().stderr).toMatch(
      /--profile auto: no profileRules rule matches this machine \(hostname ".+", (a|no) GPU, \d+ CPUs?, WARDEN_TEST_ROLE unset\)/,
    );
    process.env.WARDEN_TEST_ROLE = "vast-17";
    const run = space.up(["--profile", "auto"]);
    await run.waitForOutput(/[45] daemons running/);
    expect(run.output().stderr).toContain(
      'warden: --profile auto: ephemeral (profileRules[1]: WARDEN_TEST_ROLE="vast-17" matches "vast-*")',
    );
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  });
});
