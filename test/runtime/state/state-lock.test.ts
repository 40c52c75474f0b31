import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isWardenError } from "../../../machines/errors.ts";
import {
  LOCK_FILE,
  acquireStateLock,
  readLockFile,
  type StateLock,
} from "../../../runtime/state/state-lock.ts";
import { repoRoot } from "../../support/run-warden.ts";

const dirs: string[] = [];
const locks: StateLock[] = [];

afterEach(async () => {
  for (const lock of locks.splice(0)) await lock.release();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "warden-lock-"));
  dirs.push(dir);
  return join(dir, ".warden");
}

async function refusal(dir: string): Promise<Error> {
  try {
    locks.push(await acquireStateLock(dir));
  } catch (error) {
    return error as Error;
  }
  throw new Error("the second acquire was not refused");
}

describe("state directory lock", () => {
  it("is exclusive, names its holder, and records it in warden.lock", async () => {
    const dir = stateDir();
    const lock = await acquireStateLock(dir, { config: "/srv/app/warden.config.ts" });
    locks.push(lock);
    expect(readLockFile(dir)).toMatchObject({
      pid: process.pid,
      config: "/srv/app/warden.config.ts",
    });
    const error = await refusal(dir);
    expect(isWardenError(error, "WARDEN_ERR_ALREADY_RUNNING")).toBe(true);
    expect(error.message).toContain(`pid ${process.pid}`);
    expect(error.message).toContain("/srv/app/warden.config.ts");
  });

  it("is free again once released", async () => {
    const dir = stateDir();
    const first = await acquireStateLock(dir);
    await first.release();
    expect(readLockFile(dir)).toBeUndefined();
    locks.push(await acquireStateLock(dir));
  });

  it.runIf(process.platform === "linux")(
    "still holds when the state directory is deleted, and can write its record again",
    async () => {
      const dir = stateDir();
      const lock = await acquireStateLock(dir);
      locks.push(lock);
      rmSync(dir, { recursive: true, force: true });
      const error = await refusal(dir);
      expect(isWardenError(error, "WARDEN_ERR_ALREADY_RUNNING")).toBe(true);
      lock.rewrite();
      expect(readLockFile(dir)?.pid).toBe(process.pid);
    },
  );

  it("a lock file of a dead process is stale and never blocks", async () => {
    const dir = stateDir();
    (await acquireStateLock(dir)).release();
    // A record left by a manager that is gone (pid 2^22 - 1 is above the default pid_max).
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({ pid: 4194303, startTime: "1", startedAt: new Date().toISOString() }),
    );
    locks.push(await acquireStateLock(dir));
    expect(readLockFile(dir)?.pid).toBe(process.pid);
  });

  it("exactly one of several processes that ask at the same instant wins", async () => {
    const dir = stateDir();
    const script = `
      const { acquireStateLock } = await import(${JSON.stringify(join(repoRoot, "runtime/state/state-lock.ts"))});
      try {
        await acquireStateLock(process.argv[1]);
        console.log("won");
        setTimeout(() => process.exit(0), 1500);
      } catch (error) {
        console.log("lost: " + error.message);
      }`;
    const runs = Array.from({ length: 6 }, () => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "--input-type=module", "-e", script, dir],
        { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] },
      );
      let out = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
      return new Promise<string>((resolve) => child.on("exit", () => resolve(out.trim())));
    });
    const outcomes = await Promise.all(runs);
    expect(outcomes.filter((line) => line === "won")).toHaveLength(1);
    for (const line of outcomes.filter((line) => line !== "won")) {
      expect(line).toMatch(/^lost: a manager \(pid \d+/);
    }
  });
});
