/**
 * `warden inspect` as a user runs it (SPEC §8, §10): against a running `warden up`, it prints a
 * one-time login URL of the inspector; that URL logs in once, its cookie opens the page and a
 * process daemon's log tail; without a manager it exits 3. (Needs `npm run build`.)
 */
import { describe, expect, it } from "vitest";
import { eventuallyAsync, workspacePerTest } from "../support/manager-run.ts";

const workspace = workspacePerTest();

describe("warden inspect", () => {
  it("prints a URL that logs in once; its cookie opens the page and the daemons' data", async () => {
    const space = workspace({
      server: { port: 0 },
      daemons: {
        talker: {
          command: process.execPath,
          args: ["-e", 'console.log("hello from talker"); setInterval(() => {}, 1000);'],
        },
      },
    });
    const up = space.up();
    await up.waitForOutput(/daemons? running/);

    const { code, stdout, stderr } = await space.run(["inspect", "--no-open"]);
    expect(code, stderr).toBe(0);
    const url = stdout.trim();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/inspector\/login\?token=[A-Za-z0-9_-]{43}$/);
    expect(stderr).toContain("logs in to the inspector once");
    expect(stderr).not.toContain("opening it in your browser");

    const login = await fetch(url);
    expect(login.status).toBe(200);
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    expect((await fetch(url)).status).toBe(401); // used

    const base = new URL(url).origin;
    const page = await fetch(`${base}/inspector`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("warden inspector");
    expect((await fetch(`${base}/inspector`)).status).toBe(401);

    const details = await eventuallyAsync(
      async () => {
        const answer = await fetch(`${base}/inspector/api/daemons/talker`, { headers: { cookie } });
        const body = (await answer.json()) as {
          status: { kind: string };
          log?: { lines: string[] };
        };
        return body.log?.lines.some((line) => line.endsWith("stdout hello from talker"))
          ? body
          : undefined;
      },
      10_000,
      "the talker's log line in the inspector",
    );
    expect(details.status.kind).toBe("process");

    up.child.kill("SIGTERM");
    expect(await up.exited).toBe(0);
  });

  it("exits 3 when no manager is running", async () => {
    const space = workspace({ daemons: {} });
    const { code, stderr } = await space.run(["inspect", "--no-open"]);
    expect(code).toBe(3);
    expect(stderr).toContain("no manager is running");
  });
});
