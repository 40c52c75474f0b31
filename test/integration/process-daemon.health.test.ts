/**
 * Liveness of process daemons with real processes (SPEC §4): each kind of `health.probe`
 * (http, tcp, exec, notify) keeps a healthy daemon RUNNING, and `failureThreshold` failures in a
 * row restart it through the same path as a module's healthCheck(): DAEMON_HEALTH_CHANGED,
 * DAEMON_RESTARTING with reason "health", the restart counted in status. Probes run every 40 ms.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ProcessDaemonSpec } from "../../actors/process-spec.ts";
import type { Envelope } from "../../machines/envelope.ts";
import { CLOSED_BEFORE_ANSWER, NO_CONNECTION } from "../../actors/health-probes/notify-probe.ts";
import type { DaemonManager } from "../../runtime/manager/daemon-manager.ts";
import {
  PROCESS_FIXTURES,
  QUICK_POLICY,
  eventually,
  freePort,
  processManagerPerTest,
} from "../support/process-harness.ts";

const daemonScript = join(PROCESS_FIXTURES, "health-daemon.mjs");
const HEALTH = { intervalMs: 40, timeoutMs: 2_000, failureThreshold: 3 };
const POLICY = {
  ...QUICK_POLICY,
  backoff: { initialMs: 10, maxMs: 20, factor: 2 },
  health: HEALTH,
};

const setup = processManagerPerTest();

/** The `probed <n> <answer>` lines the fixture printed, one list per instance, oldest first. */
function probesByInstance(stateDir: string, name: string): string[][] {
  const log = readFileSync(join(stateDir, "logs", `${name}.log`), "utf8");
  const instances: string[][] = [];
  for (const line of log.split("\n")) {
    if (/ warden started pid /.test(line)) instances.push([]);
    const probe = / stdout (probed \d+ .*)$/.exec(line);
    if (probe) instances.at(-1)?.push(probe[1]!);
  }
  return instances;
}

function healthChanges(events: readonly Envelope[], name: string): unknown[] {
  return events
    .filter(
      (e) => e.type === "DAEMON_HEALTH_CHANGED" && (e.data as { daemon: string }).daemon === name,
    )
    .map((e) => e.data);
}

/**
 * Starts `name`, whose probe passes 4 times and then fails; checks that it stayed RUNNING and
 * healthy through the passes, was restarted after exactly 3 failures with `detail`, and runs again.
 */
async function healthyThenRestarted(
  harness: { manager: DaemonManager; events: Envelope[] },
  name: string,
  detail: string,
): Promise<void> {
  const { manager, events } = harness;
  await manager.start(name);
  await eventually(() => manager.statusOf(name).healthy === true, 10_000, `${name} healthy`);
  expect(manager.statusOf(name)).toMatchObject({ state: "RUNNING", restarts: 0 });
  const restarting = await eventually(
    () => events.find((e) => e.type === "DAEMON_RESTARTING"),
    10_000,
    `${name} restarted`,
  );
  expect(restarting.data).toMatchObject({
    daemon: name,
    from: "RUNNING",
    reason: "health",
    error: "health check failed",
  });
  expect(healthChanges(events, name).slice(0, 2)).toEqual([
    { daemon: name, from: "RUNNING", healthy: true },
    { daemon: name, from: "RUNNING", healthy: false, detail },
  ]);
  await eventually(
    () => {
      const status = manager.statusOf(name);
      return status.state === "RUNNING" && status.restarts === 1;
    },
    10_000,
    `${name} running again after one restart`,
  );
  expect(manager.statusOf(name).lastError).toBe("health check failed");
}

describe("process daemons: health probes", () => {
  it("http: 2xx is healthy; 3 failed GETs in a row restart it, with the status and body as detail", async () => {
    const harness = setup();
    const port = await freePort();
    harness.manager.register(
      "web",
      {
        command: process.execPath,
        args: [daemonScript, "http", String(port), "ok,ok,ok,ok,fail database down"],
        ready: { stdout: "^listening$" },
        healthProbe: { http: `http://127.0.0.1:${port}/health` },
      },
      POLICY,
    );
    const detail = `GET http://127.0.0.1:${port}/health answered 503: database down`;
    await healthyThenRestarted(harness, "web", detail);
    const [first] = probesByInstance(harness.stateDir, "web");
    expect(first).toEqual([
      "probed 1 ok",
      "probed 2 ok",
      "probed 3 ok",
      "probed 4 ok",
      "probed 5 fail database down",
      "probed 6 fail database down",
      "probed 7 fail database down",
    ]);
  });

  it("tcp: a port that accepts is healthy; refused 3 times in a row restarts it", async () => {
    const harness = setup();
    const port = await freePort();
    harness.manager.register(
      "db",
      {
        command: process.execPath,
        args: [daemonScript, "tcp", String(port), "ok,ok,ok,ok,fail"],
        ready: { stdout: "^listening$" },
        healthProbe: { tcp: port },
      },
      POLICY,
    );
    await healthyThenRestarted(harness, "db", `cannot connect to 127.0.0.1:${port}: ECONNREFUSED`);
    // Four connections accepted; the failures were refused connects, never seen by the daemon.
    expect(probesByInstance(harness.stateDir, "db")[0]).toHaveLength(4);
  });

  it("exec: exit 0 in the daemon's cwd and env is healthy; a non-zero exit 3 times restarts it", async () => {
    const harness = setup();
    const cwd = harness.stateDir;
    // Counts its runs in the daemon's folder (each instance starts again at 0); healthy for 4.
    writeFileSync(
      join(cwd, "probe.sh"),
      [
        'n=$(( $(cat count) + 1 )); echo "$n" > count',
        '[ "$WARDEN_DAEMON_NAME" = checked ] && [ "$MARK" = yes ] || exit 9',
        'kill -0 "$WARDEN_DAEMON_PID" && [ "$n" -le 4 ] && exit 0',
        'echo "probe $n: tired" >&2; exit 3',
      ].join("\n"),
    );
    harness.manager.register(
      "checked",
      {
        command: "sh",
        args: ["-c", "echo 0 > count; exec sleep 30"],
        cwd,
        env: { MARK: "yes" },
        healthProbe: { exec: ["sh", "probe.sh"] },
      },
      POLICY,
    );
    await healthyThenRestarted(
      harness,
      "checked",
      '"sh probe.sh" exited with code 3: probe 5: tired',
    );
  });

  it("notify: HEALTH? answered HEALTH=ok is healthy; HEALTH=fail <detail> 3 times restarts it", async () => {
    const harness = setup();
    harness.manager.register(
      "worker",
      {
        command: process.execPath,
        args: [daemonScript, "notify", "ok,ok,ok,ok,fail disk full"],
        ready: { notify: true },
        healthProbe: { notify: true },
      },
      POLICY,
    );
    await healthyThenRestarted(harness, "worker", "disk full");
    expect(probesByInstance(harness.stateDir, "worker")[0]).toEqual([
      "probed 1 ok",
      "probed 2 ok",
      "probed 3 ok",
      "probed 4 ok",
      "probed 5 fail disk full",
      "probed 6 fail disk full",
      "probed 7 fail disk full",
    ]);
  });

  it("notify: no answer within timeoutMs counts as a failure", async () => {
    const harness = setup();
    harness.manager.register(
      "mute",
      {
        command: process.execPath,
        args: [daemonScript, "notify", "ok,ok,ok,ok,silent"],
        ready: { notify: true },
        healthProbe: { notify: true },
      },
      { ...POLICY, health: { ...HEALTH, timeoutMs: 300 } },
    );
    await healthyThenRestarted(harness, "mute", "health check timed out after 300 ms");
    expect(probesByInstance(harness.stateDir, "mute")[0]).toHaveLength(7);
  });

  it("notify: a daemon that never connected fails every probe, saying so", async () => {
    const { manager, events } = setup();
    manager.register(
      "deaf",
      { command: "sh", args: ["-c", "exec sleep 30"], healthProbe: { notify: true } },
      POLICY,
    );
    await manager.start("deaf");
    const restarting = await eventually(
      () => events.find((e) => e.type === "DAEMON_RESTARTING"),
      10_000,
      "deaf restarted",
    );
    expect(restarting.data).toMatchObject({ daemon: "deaf", reason: "health" });
    expect(healthChanges(events, "deaf")[0]).toEqual({
      daemon: "deaf",
      from: "RUNNING",
      healthy: false,
      detail: NO_CONNECTION,
    });
  });

  it("notify: closing the connection instead of answering is a failure, and so is every probe after", async () => {
    const { manager, events } = setup();
    manager.register(
      "quitter",
      {
        command: process.execPath,
        args: [daemonScript, "notify", "close"],
        ready: { notify: true },
        healthProbe: { notify: true },
      },
      // The first failure is told; a high threshold keeps it RUNNING for the second.
      { ...POLICY, health: { ...HEALTH, failureThreshold: 1000 } },
    );
    await manager.start("quitter");
    await eventually(
      () => manager.statusOf("quitter").lastError === NO_CONNECTION,
      10_000,
      "a probe after the connection closed",
    );
    expect(healthChanges(events, "quitter")).toEqual([
      { daemon: "quitter", from: "RUNNING", healthy: false, detail: CLOSED_BEFORE_ANSWER },
    ]);
    expect(manager.statusOf("quitter")).toMatchObject({ state: "RUNNING", healthy: false });
  });

  it("a healthy daemon stays RUNNING and healthy, probe after probe", async () => {
    const { manager, events, stateDir } = setup();
    const port = await freePort();
    const spec = (probe: ProcessDaemonSpec["healthProbe"], args: string[]): ProcessDaemonSpec => ({
      command: process.execPath,
      args: [daemonScript, ...args],
      ready: args[0] === "notify" ? { notify: true } : { stdout: "^listening$" },
      healthProbe: probe,
    });
    manager.register(
      "h",
      spec({ http: `http://127.0.0.1:${port}/health` }, ["http", String(port), "ok"]),
      POLICY,
    );
    manager.register("n", spec({ notify: true }, ["notify", "ok"]), POLICY);
    await manager.startMany(["h", "n"]);
    await eventually(
      () => ["h", "n"].every((name) => (probesByInstance(stateDir, name)[0]?.length ?? 0) >= 10),
      10_000,
      "ten probes of each",
    );
    for (const name of ["h", "n"]) {
      expect(manager.statusOf(name)).toMatchObject({
        state: "RUNNING",
        healthy: true,
        restarts: 0,
      });
      expect(healthChanges(events, name)).toEqual([
        { daemon: name, from: "RUNNING", healthy: true },
      ]);
    }
    expect(events.filter((e) => e.type === "DAEMON_RESTARTING")).toEqual([]);
  });
});
