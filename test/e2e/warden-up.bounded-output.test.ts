/**
 * `warden up | less` with the pager paused, or a stalled log shipper: the manager's stdout is not
 * read while a daemon writes as fast as it can. The manager's memory stays bounded (lines are
 * dropped and counted), the daemon's log file still gets every line, and once the reader reads
 * again it is told how many lines it missed.
 */
import { spawn } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { eventually } from "../support/process-harness.ts";
import { runningGroup, workspacePerTest } from "../support/manager-run.ts";
import { repoRoot } from "../support/run-warden.ts";

const workspace = workspacePerTest();

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

describe("warden up: output toward a reader that does not read", () => {
  it.runIf(process.platform === "linux")(
    "keeps the manager's memory bounded and says how many lines were dropped",
    async () => {
      const line = "a daemon that writes as fast as it can ".repeat(3);
      const space = workspace({
        server: { port: 0 },
        daemons: { firehose: { command: "yes", args: [line], logs: { maxBytes: 200_000_000 } } },
      });
      const manager = spawn(
        process.execPath,
        [join(repoRoot, "bin/warden.js"), "up", "--config", space.config],
        {
          cwd: space.dir,
          stdio: ["ignore", "pipe", "ignore"],
          env: { ...process.env, NO_COLOR: "1" },
        },
      );
      manager.stdout.pause();
      try {
        await runningGroup(space, "firehose");
        const log = join(space.stateDir, "logs", "firehose.log");
        // 80 MB through the manager while nobody reads its stdout.
        await eventually(
          () => {
            try {
              return statSync(log).size > 80_000_000 || undefined;
            } catch {
              return undefined;
            }
          },
          120_000,
          "80 MB of daemon output",
        );
        expect(rssMb(manager.pid!)).toBeLessThan(300);
        let seen = "";
        manager.stdout.setEncoding("utf8").on("data", (chunk: string) => {
          if (seen.length < 50_000_000) seen += chunk;
        });
        manager.stdout.resume();
        await eventually(
          () => /warden: \d+ lines \(\d+ bytes\) of output dropped here/.test(seen) || undefined,
          30_000,
          "the note about dropped lines",
        );
      } finally {
        manager.kill("SIGKILL");
      }
    },
    180_000,
  );
});
