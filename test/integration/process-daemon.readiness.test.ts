/**
 * Process daemons with real processes: each readiness kind of SPEC §4, and a start that is never
 * ready failing after `startTimeoutMs`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { firstValueFrom } from "rxjs";
import { notifySocketPath } from "../../actors/notify-socket-path.ts";
import { describe, expect, it } from "vitest";
import {
  PROCESS_FIXTURES,
  eventually,
  freePort,
  NOTIFY_SCRIPT,
  QUICK_POLICY,
  processManagerPerTest,
} from "../support/process-harness.ts";

const listen = join(PROCESS_FIXTURES, "listen.mjs");
const notifyScript = NOTIFY_SCRIPT;
const quick = { ...QUICK_POLICY, restart: "never" as const };

const setup = processManagerPerTest();

describe("process daemons: readiness", () => {
  it("on spawn by default, with WARDEN_DAEMON_NAME and WARDEN_NOTIFY_SOCKET set", async () => {
    const { manager, stateDir } = setup();
    manager.register(
      "envdump",
      {
        command: "sh",
        args: ["-c", 'echo "$WARDEN_DAEMON_NAME $WARDEN_NOTIFY_SOCKET"; exec sleep 30'],
      },
      quick,
    );
    const printed = firstValueFrom(manager.output$);
    await manager.start("envdump");
    const status = manager.statusOf("envdump");
    expect(status.state).toBe("RUNNING");
    expect(status.kind).toBe("process");
    expect(status.process?.pid).toBeGreaterThan(0);
    const { line } = await printed;
    const [name, socket] = line.split(" ");
    expect(name).toBe("envdump");
    expect(socket).toBe(notifySocketPath(stateDir, "envdump"));
    // Its own process group: the leader's pgid is its pid.
    const stat = readFileSync(`/proc/${status.process!.pid}/stat`, "utf8");
    const pgid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
    expect(pgid).toBe(status.process!.pid);
  });

  it("on a stdout line matching the pattern, not before", async () => {
    const { manager, events } = setup();
    manager.register(
      "printer",
      {
        command: "sh",
        args: ["-c", "echo booting; sleep 0.3; echo 'listening on 4242'; exec sleep 30"],
        ready: { stdout: "^listening on \\d+$" },
      },
      quick,
    );
    const started = Date.now();
    await manager.start("printer");
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(events.map((e) => e.type)).toContain("DAEMON_STARTED");
  });

  it("on a TCP port accepting connections", async () => {
    const { manager } = setup();
    const port = await freePort();
    manager.register(
      "tcp",
      {
        command: process.execPath,
        args: [listen, "tcp", String(port), "200"],
        ready: { tcp: port },
      },
      quick,
    );
    await manager.start("tcp");
    expect(manager.stateOf("tcp")).toBe("RUNNING");
  });

  it("on an HTTP probe answering 2xx", async () => {
    const { manager } = setup();
    const port = await freePort();
    manager.register(
      "http",
      {
        command: process.execPath,
        args: [listen, "http", String(port), "200"],
        ready: { http: `http://127.0.0.1:${port}/health` },
      },
      quick,
    );
    await manager.start("http");
    expect(manager.stateOf("http")).toBe("RUNNING");
  });

  it("on READY=1 from the notify socket", async () => {
    const { manager } = setup();
    manager.register(
      "notifier",
      {
        command: process.execPath,
        args: [notifyScript, "wait:200", "send:STATUS=warming up", "send:READY=1"],
        ready: { notify: true },
      },
      quick,
    );
    await manager.start("notifier");
    expect(manager.statusOf("notifier").process?.statusText).toBe("warming up");
  });

  it.each([
    ["stdout", { stdout: "never printed" }],
    ["tcp", { tcp: 1 }],
    ["notify", { notify: true as const }],
  ])("a start not ready in time (%s) is a failed start", async (_, ready) => {
    const { manager, events } = setup();
    manager.register(
      "slow",
      { command: "sh", args: ["-c", "exec sleep 30"], ready },
      { ...quick, startTimeoutMs: 400 },
    );
    await expect(manager.start("slow")).rejects.toThrow(/start timed out/);
    const failed = events.find((e) => e.type === "DAEMON_FAILED");
    expect(failed?.data).toMatchObject({ daemon: "slow", error: "start timed out" });
    await eventually(() => manager.statusOf("slow").process?.pid === undefined, 5_000, "no pid");
  });

  it("a process that exits before it is ready fails its start with its exit code", async () => {
    const { manager, events } = setup();
    manager.register(
      "quitter",
      { command: "sh", args: ["-c", "exit 7"], ready: { stdout: "ready" } },
      quick,
    );
    await expect(manager.start("quitter")).rejects.toThrow(
      /exited with code 7 before it was ready/,
    );
    expect(events.find((e) => e.type === "DAEMON_FAILED")?.data).toMatchObject({ exitCode: 7 });
    expect(manager.statusOf("quitter")).toMatchObject({ state: "FAILED", exitCode: 7 });
  });

  it("a command that does not exist fails with a clear error", async () => {
    const { manager } = setup();
    manager.register("ghost", { command: "warden-no-such-program-xyz" }, quick);
    await expect(manager.start("ghost")).rejects.toThrow(
      'cannot run "warden-no-such-program-xyz": command "warden-no-such-program-xyz" not found on PATH',
    );
  });
});
