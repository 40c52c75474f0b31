/**
 * `warden up | head`: when whoever reads warden's output goes away, the next write fails with
 * EPIPE. That must end the run in order (as SIGPIPE ends other programs), not loop on reporting
 * the failed write by writing again.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runWarden } from "../support/run-warden.ts";

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("warden up with its output closed", () => {
  it("stops everything and exits instead of spinning on EPIPE", async () => {
    dir = mkdtempSync(join(tmpdir(), "warden-epipe-"));
    writeFileSync(
      join(dir, "chatty.mjs"),
      `export default {
        start(ctx) { this.timer = setInterval(() => ctx.logger.info("tick"), 20); },
        stop() { clearInterval(this.timer); },
      };\n`,
    );
    const config = join(dir, "warden.config.json");
    writeFileSync(
      config,
      JSON.stringify({ server: { port: 0 }, daemons: { chatty: { module: "./chatty.mjs" } } }),
    );
    const run = runWarden(["up", "--config", config]);
    await run.waitForOutput(/4 daemons running/);
    run.child.stdout.destroy();
    run.child.stderr.destroy();
    const exited = await Promise.race([
      run.exited,
      new Promise<"still running">((resolve) => setTimeout(() => resolve("still running"), 10_000)),
    ]);
    if (exited === "still running") run.child.kill("SIGKILL");
    expect(exited).toBe(0);
  });
});
