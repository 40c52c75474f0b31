/**
 * The inspector page in a real headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core): the login URL opens it; the graph shows every daemon with its state; a
 * state change arrives live over the event stream; a click shows the daemon's lifecycle chart
 * with its current state highlighted; the restart button restarts it; nothing is loaded from
 * elsewhere and the page logs no error. Set-up in test/support/control-server-setup.ts.
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser } from "playwright-core";
import { until } from "../support/control-client.ts";
import { controlServerPerTest, post } from "../support/control-server-setup.ts";

const CHROMIUM = "/usr/bin/chromium";
/** Flags for a sandboxed, offline machine (no background connections to refuse). */
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * `npm test` on a machine without Chromium skips this file and says so; CI (`.ci/run`) installs
 * Debian's chromium and sets WARDEN_REQUIRE_BROWSER=1, so there a missing browser fails.
 */
const HAS_BROWSER = existsSync(CHROMIUM) || process.env.WARDEN_REQUIRE_BROWSER === "1";
if (!HAS_BROWSER) {
  process.stderr.write(
    `test/browser: skipped, ${CHROMIUM} is missing (apt-get install chromium; .ci/run does)\n`,
  );
}

const { setup } = controlServerPerTest();
let browser: Browser;

beforeAll(async () => {
  if (!HAS_BROWSER) return;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
});
afterAll(async () => {
  await browser?.close();
});

describe.runIf(HAS_BROWSER)("the inspector in a browser", () => {
  it("shows the live graph, a daemon's chart, and restarts it with a click", async () => {
    const { base, manager } = await setup();
    await manager.startMany(["db", "api", "worker"]);
    const { body } = await post(base, "/v1/inspector/login");
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    const elsewhere: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    page.on("response", (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
    });
    page.on("request", (request) => {
      if (!request.url().startsWith(`${base}/`)) elsewhere.push(request.url());
    });

    await page.goto(String(body.url));
    await page.waitForURL(`${base}/inspector`);
    const node = (name: string) => page.locator(`#graph g.node[data-daemon="${name}"]`);
    await expect.poll(() => node("api").getAttribute("data-state")).toBe("RUNNING");
    for (const daemon of manager.status()) {
      expect(await node(daemon.name).getAttribute("data-state"), daemon.name).toBe(daemon.state);
      expect(await node(daemon.name).textContent()).toContain(daemon.name);
    }
    const cookies = await context.cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/" });
    // HttpOnly: no script of the page sees it.
    expect(await page.evaluate("document.cookie")).toBe("");

    // Live: faster than the page's 5 s status refresh, so through the event stream.
    await manager.stop("worker");
    await expect
      .poll(() => node("worker").getAttribute("data-state"), { timeout: 2_000 })
      .toBe("STOPPED");
    await expect
      .poll(() => page.locator('#timeline li[data-type="DAEMON_STOPPED"]').count())
      .toBeGreaterThan(0);

    await node("api").click();
    await expect.poll(() => page.locator("#panel-name").textContent()).toBe("api");
    const current = page.locator("#chart g.node.current");
    await expect.poll(() => current.getAttribute("id")).toBe("state-RUNNING");
    expect(await page.locator("#chart g.node").count()).toBe(7);
    expect(await page.locator("#panel-state").textContent()).toBe("RUNNING");

    await page.locator('#panel button[data-action="restart"]').click();
    await until(
      () => manager.status().find((daemon) => daemon.name === "api")!.restarts === 1,
      5_000,
      "api restarted",
    );
    await until(() => manager.stateOf("api") === "RUNNING", 5_000, "api running again");
    await expect
      .poll(() => page.locator('#panel-transitions li[data-type="DAEMON_RESTARTING"]').count())
      .toBe(1);
    await expect.poll(() => current.getAttribute("id")).toBe("state-RUNNING");
    expect(await page.locator("#panel-message").textContent()).toContain("restart requested");

    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("without a login the page is refused", async () => {
    const { base } = await setup();
    const page = await browser.newPage();
    const answer = await page.goto(`${base}/inspector`);
    expect(answer!.status()).toBe(401);
    expect(await page.textContent("body")).toContain("warden inspect");
    await page.close();
  });
});
