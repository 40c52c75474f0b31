import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  readManagerInfo,
  removeManagerInfo,
  writeManagerInfo,
  type ManagerInfo,
} from "../../../runtime/control/manager-discovery.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "warden-discovery-"));
  dirs.push(dir);
  return dir;
}

/** The pid of a process that has exited (and been reaped): no longer alive. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(child.stdout.toString());
}

const info: ManagerInfo = {
  pid: process.pid,
  url: "http://127.0.0.1:7070",
  startedAt: "2026-11-23T05:00:00.000Z",
  config: "/srv/warden.config.ts",
};

describe("manager.json", () => {
  it("is written with mode 0600, atomically, and read back while its pid is alive", () => {
    const stateDir = tempDir();
    writeManagerInfo(stateDir, info);
    expect(statSync(join(stateDir, "manager.json")).mode & 0o777).toBe(0o600);
    expect(readdirSync(stateDir)).toEqual(["manager.json"]);
    expect(readManagerInfo(stateDir)).toEqual(info);
    const { config: _config, ...withoutConfig } = info;
    writeManagerInfo(stateDir, withoutConfig);
    expect(readManagerInfo(stateDir)).toEqual(withoutConfig);
  });

  it("reads as no manager when missing, unparsable, of the wrong shape, or stale", () => {
    const stateDir = tempDir();
    const file = join(stateDir, "manager.json");
    expect(readManagerInfo(stateDir)).toBeUndefined();
    for (const text of ["{", "null", "[]", '{"pid":"1","url":"u","startedAt":"s"}', '{"pid":1}']) {
      writeFileSync(file, text);
      expect(readManagerInfo(stateDir), text).toBeUndefined();
    }
    writeManagerInfo(stateDir, { ...info, pid: deadPid() });
    expect(readManagerInfo(stateDir)).toBeUndefined();
  });

  it("counts a live process of another user as alive (EPERM)", () => {
    if (process.getuid?.() === 0) return; // root may signal anyone: no EPERM to provoke
    const stateDir = tempDir();
    writeManagerInfo(stateDir, { ...info, pid: 1 });
    expect(readManagerInfo(stateDir)?.pid).toBe(1);
  });

  it("is removed only by the manager it names", () => {
    const stateDir = tempDir();
    const file = join(stateDir, "manager.json");
    writeManagerInfo(stateDir, info);
    removeManagerInfo(stateDir, process.pid + 1);
    expect(existsSync(file)).toBe(true);
    removeManagerInfo(stateDir, process.pid);
    expect(existsSync(file)).toBe(false);
    expect(() => removeManagerInfo(stateDir, process.pid)).not.toThrow();
  });
});
