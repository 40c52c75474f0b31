import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { StateDirGuard } from "../../../runtime/state/state-dir-guard.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function logger() {
  const lines: { level: string; message: string }[] = [];
  const log = (level: string) => (message: unknown) =>
    lines.push({ level, message: String(message) });
  return { lines, logger: { warn: log("warn"), error: log("error") } as never };
}

function guarded(restoreFails = false) {
  const root = mkdtempSync(join(tmpdir(), "warden-guard-"));
  dirs.push(root);
  const stateDir = join(root, ".warden");
  const marker = join(stateDir, "warden.lock");
  mkdirSync(stateDir);
  writeFileSync(marker, "{}");
  let restores = 0;
  const { lines, logger: log } = logger();
  const guard = new StateDirGuard({
    stateDir,
    marker,
    logger: log,
    restore: [
      () => {
        if (restoreFails) throw new Error("EACCES: permission denied");
        restores++;
        writeFileSync(marker, "{}");
      },
    ],
  });
  guard.start();
  guard.stop();
  return { guard, stateDir, marker, lines, restores: () => restores };
}

describe("StateDirGuard", () => {
  it("does nothing while the directory and its marker are there", async () => {
    const { guard, lines, restores } = guarded();
    await guard.check();
    expect(restores()).toBe(0);
    expect(lines).toEqual([]);
    expect(guard.problem()).toBeUndefined();
  });

  it("re-creates a deleted directory (0700), restores it once, and says so", async () => {
    const { guard, stateDir, marker, lines, restores } = guarded();
    rmSync(stateDir, { recursive: true });
    await guard.check();
    await guard.check();
    expect(existsSync(marker)).toBe(true);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    expect(restores()).toBe(1);
    expect(lines).toEqual([
      { level: "warn", message: expect.stringMatching(/was deleted; re-created/) },
    ]);
  });

  it("restores an emptied directory", async () => {
    const { guard, marker, lines, restores } = guarded();
    rmSync(marker);
    await guard.check();
    expect(restores()).toBe(1);
    expect(lines[0]?.message).toMatch(/was emptied/);
  });

  it("reports what it cannot restore, once, until it can", async () => {
    const { guard, stateDir, lines } = guarded(true);
    rmSync(stateDir, { recursive: true });
    await guard.check();
    await guard.check();
    expect(guard.problem()).toMatch(/cannot restore the state directory .*EACCES/);
    expect(lines.filter((line) => line.level === "error")).toHaveLength(1);
  });
});
