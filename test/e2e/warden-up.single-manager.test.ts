/**
 * One manager per state directory (SPEC §13), as users meet it: two `warden up` started at the
 * same instant (exactly one runs), a state directory deleted under a running manager (it notices,
 * restores what lives there, and its lock still holds), and a taken control port (fatal at start,
 * naming the port and its holder).
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { eventually } from "../support/process-harness.ts";
import {
  eventuallyAsync,
  runningGroup,
  twoManagersAtOnce,
  workspacePerTest,
} from "../support/manager-run.ts";

const workspace = workspacePerTest();

const SLEEPER = { command: "sleep", args: ["1000"] };

/** The ticker's latest STATUS= text, through the control API. */
async function statusText(stateDir: string): Promise<string | undefined> {
  const { url } = JSON.parse(readFileSync(join(stateDir, "manager.json"), "utf8"));
  const token = readFileSync(join(stateDir, "token"), "utf8").trim();
  const response = await fetch(`${url}/v1/daemons/ticker`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = (await response.json()) as { process?: { statusText?: string } };
  return body.process?.statusText;
}

describe("warden up: one manager per state directory", () => {
  it("of two started at the same instant, exactly one runs; the other names it and exits 1", async () => {
    const space = workspace({ server: { port: 0 }, daemons: { sleeper: SLEEPER } });
    const { winner, loser } = await twoManagersAtOnce(space);
    expect(await loser.exited).toBe(1);
    expect(loser.output().stderr).toMatch(
      new RegExp(
        `a manager \\(pid ${winner.child.pid}, started [^)]*\\) already runs on the state directory`,
      ),
    );
    await winner.waitForOutput(/4 daemons running/);
    const pgid = await runningGroup(space, "sleeper");
    const pids = readFileSync(join(space.stateDir, "pids", "sleeper.json"), "utf8");
    expect(JSON.parse(pids).pid).toBe(pgid);
    winner.child.kill("SIGTERM");
    expect(await winner.exited).toBe(0);
  });

  it("notices its state directory deleted: restores it, stays visible, keeps its lock", async () => {
    const space = workspace(
      {
        server: { port: 0 },
        daemons: {
          ticker: { command: process.execPath, args: ["ticker.mjs"], ready: { notify: true } },
        },
      },
      {
        // Says READY=1, then sends STATUS=tick <n> on a new connection every 100 ms.
        "ticker.mjs": `import { connect } from "node:net";
          let n = 0;
          const send = (line) => { const s = connect(process.env.WARDEN_NOTIFY_SOCKET); s.on("error", () => {}); s.end(line + "\\n"); };
          send("READY=1");
          setInterval(() => send("STATUS=tick " + ++n), 100);\n`,
      },
    );
    const run = space.up();
    await run.waitForOutput(/4 daemons running/);
    await runningGroup(space, "ticker");

    // (Retried: the manager may write a file there, e.g. its journal, while it is being deleted.)
    rmSync(space.stateDir, { recursive: true, force: true, maxRetries: 20, retryDelay: 10 });
    await eventually(
      () => existsSync(join(space.stateDir, "manager.json")) || undefined,
      10_000,
      "manager.json to be written again",
    );
    await run.waitForOutput(/state directory .* was deleted; re-created/);
    expect(existsSync(join(space.stateDir, "token"))).toBe(true);
    expect(existsSync(join(space.stateDir, "warden.lock"))).toBe(true);

    // The CLI finds the manager again, and the daemon's notify messages arrive again.
    const status = await space.run(["status", "--json"]);
    expect(status.code).toBe(0);
    const before = await statusText(space.stateDir);
    const later = await eventuallyAsync(
      async () => {
        const text = await statusText(space.stateDir);
        return text !== before ? text : undefined;
      },
      10_000,
      "a STATUS= message through the re-created notify socket",
    );
    expect(later).toMatch(/^tick \d+$/);

    // A second manager is refused although the directory (and its lock file) was deleted.
    const second = space.up();
    expect(await second.exited).toBe(1);
    expect(second.output().stderr).toMatch(/already runs on the state directory/);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  });

  it("a taken control port is fatal at start: exit 1, naming the port and its holder", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const space = workspace({ server: { port }, daemons: { sleeper: SLEEPER } });
      const run = space.up();
      expect(await run.exited).toBe(1);
      const { stderr } = run.output();
      expect(stderr).toContain(`cannot listen on 127.0.0.1:${port} for the control API`);
      expect(stderr).toContain(`by pid ${process.pid}`);
      // Nothing was started.
      expect(existsSync(join(space.stateDir, "pids", "sleeper.json"))).toBe(false);
    } finally {
      holder.close();
    }
  });

  it("a dependency cycle is a configuration error: exit 2 naming the file, nothing started", async () => {
    const space = workspace({
      server: { port: 0 },
      daemons: {
        a: { ...SLEEPER, dependsOn: ["b"] },
        b: { ...SLEEPER, dependsOn: ["a"] },
      },
    });
    const run = space.up();
    expect(await run.exited).toBe(2);
    const { stderr } = run.output();
    expect(stderr).toMatch(
      /warden\.config\.json: daemons\.[ab]\.dependsOn\[0\]: dependency cycle: (a → b → a|b → a → b)/,
    );
    expect(existsSync(join(space.stateDir, "pids"))).toBe(false);
  });
});
