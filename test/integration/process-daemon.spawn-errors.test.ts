/**
 * A program that cannot be run at all fails its start with an error that says why: a working
 * directory that does not exist (Node says only "spawn sleep ENOENT" for it), a command not on
 * PATH, a file that is not executable, a script whose interpreter is missing.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { processManagerPerTest, QUICK_POLICY } from "../support/process-harness.ts";

const setup = processManagerPerTest();
let scratch: string;

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "warden-spawn-"));
});

afterEach(() => {
  rmSync(scratch, { recursive: true, force: true });
});

const policy = { ...QUICK_POLICY, restart: "never" } as const;

describe("process daemons that cannot be run", () => {
  it("names a working directory that does not exist", async () => {
    const { manager } = setup();
    const cwd = join(scratch, "x", "y");
    manager.register("lost", { command: "sleep", args: ["1000"], cwd }, policy);
    const failure = manager.start("lost");
    await expect(failure).rejects.toThrow(
      `cannot run "sleep": its working directory ${cwd} does not exist`,
    );
    await expect(failure).rejects.not.toThrow(/ENOENT/);
  });

  it("names a working directory that is a file", async () => {
    const { manager } = setup();
    const cwd = join(scratch, "file");
    writeFileSync(cwd, "");
    manager.register("filed", { command: "sleep", args: ["1000"], cwd }, policy);
    await expect(manager.start("filed")).rejects.toThrow(
      `cannot run "sleep": its working directory ${cwd} is not a directory`,
    );
  });

  it("says that a command is not found on PATH", async () => {
    const { manager } = setup();
    manager.register("ghost", { command: "warden-no-such-program-xyz" }, policy);
    await expect(manager.start("ghost")).rejects.toThrow(
      'cannot run "warden-no-such-program-xyz": command "warden-no-such-program-xyz" not found on PATH',
    );
  });

  it("says that a command given by path does not exist", async () => {
    const { manager } = setup();
    const missing = join(scratch, "missing.sh");
    manager.register("ghost", { command: missing }, policy);
    await expect(manager.start("ghost")).rejects.toThrow(
      `cannot run "${missing}": ${missing} does not exist`,
    );
  });

  it("says that a file is not executable", async () => {
    const { manager } = setup();
    const script = join(scratch, "plain.sh");
    writeFileSync(script, "#!/bin/sh\nsleep 1000\n");
    chmodSync(script, 0o644);
    manager.register("plain", { command: script }, policy);
    await expect(manager.start("plain")).rejects.toThrow(
      `cannot run "${script}": ${script} is not executable (EACCES)`,
    );
  });

  it("says that a script has Windows line endings (its #! names a program ending in \\r)", async () => {
    const { manager } = setup();
    const script = join(scratch, "dos.sh");
    writeFileSync(script, "#!/bin/sh\r\nsleep 1000\r\n");
    chmodSync(script, 0o755);
    manager.register("dos", { command: script }, policy);
    await expect(manager.start("dos")).rejects.toThrow(
      `cannot run "${script}": ${script} has Windows line endings: its #! line names "/bin/sh\\r"`,
    );
  });

  it("fails a start, not the manager, for arguments Node refuses at once", async () => {
    const { manager } = setup();
    manager.register("nul", { command: "sleep", args: ["1\0"] }, policy);
    await expect(manager.start("nul")).rejects.toThrow(/cannot run "sleep": .*null bytes/);
    expect(manager.statusOf("nul").state).toBe("FAILED");
  });

  it("says that a script's interpreter is missing", async () => {
    const { manager } = setup();
    const script = join(scratch, "orphan.sh");
    writeFileSync(script, "#!/warden/no/such/interpreter\n");
    chmodSync(script, 0o755);
    manager.register("orphan", { command: script }, policy);
    await expect(manager.start("orphan")).rejects.toThrow(
      `cannot run "${script}": ${script} exists, but its interpreter (#!/warden/no/such/interpreter) was not found`,
    );
  });
});
