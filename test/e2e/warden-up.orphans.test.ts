/**
 * "Nothing outlives the manager" (SPEC §4), its second line of defence: `warden up` with a process
 * daemon that has grandchildren is killed with SIGKILL together with its sentinel (the first line,
 * see warden-up.signals.test.ts), so its children live on as orphans; the next `warden up` finds
 * them through the state directory and stops them before starting anew.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { descendantsOf, processesInGroup, stillRunning } from "../support/orphans.ts";
import { eventually } from "../support/process-harness.ts";
import { runWarden } from "../support/run-warden.ts";
import { startedProcessesPerTest } from "../support/started-processes.ts";

const started = startedProcessesPerTest();
let dir: string | undefined;

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function writeConfig(): string {
  dir = mkdtempSync(join(tmpdir(), "warden-orphans-"));
  const file = join(dir, "warden.config.json");
  writeFileSync(
    file,
    JSON.stringify({
      daemons: {
        family: {
          command: "sh",
          args: ["-c", "sleep 1000 & sleep 1000 & echo ready; wait"],
          ready: { stdout: "^ready$" },
        },
      },
    }),
  );
  return file;
}

function recordedPid(): number {
  const record = JSON.parse(readFileSync(join(dir!, ".warden", "pids", "family.json"), "utf8"));
  const pid = Number(record.pid);
  if (!Number.isInteger(pid) || pid <= 1) throw new Error(`bad recorded pid ${record.pid}`);
  return pid;
}

describe("warden up: no orphans", () => {
  it("a manager killed with SIGKILL leaves children that the next start stops", async () => {
    const config = writeConfig();
    const first = runWarden(["up", "--config", config]);
    await first.waitForOutput(/4 daemons running/);
    const firstLeader = recordedPid();
    started.addGroup(firstLeader);
    const orphans = await eventually(
      () => {
        const members = processesInGroup(firstLeader);
        return members.length >= 3 ? members : undefined;
      },
      5_000,
      "the daemon and its two grandchildren",
    );

    // The first line of defence, the sentinel, is killed first (as a `kill -9` of every warden
    // process would), so that the children outlive their manager: the next start must clean up.
    const sentinel = descendantsOf(first.child.pid!).find((pid) =>
      readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("warden-sentinel"),
    );
    if (sentinel !== undefined) process.kill(sentinel, "SIGKILL");
    first.child.kill("SIGKILL");
    await first.exited;
    expect(stillRunning(orphans)).toEqual(orphans);

    const second = runWarden(["up", "--config", config]);
    await second.waitForOutput(/4 daemons running/);
    expect(stillRunning(orphans)).toEqual([]);
    const secondLeader = recordedPid();
    started.addGroup(secondLeader);
    expect(secondLeader).not.toBe(firstLeader);
    const replacements = processesInGroup(secondLeader);
    expect(replacements.length).toBeGreaterThanOrEqual(1);

    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    await eventually(() => stillRunning(replacements).length === 0, 5_000, "a clean stop");
  });
});
