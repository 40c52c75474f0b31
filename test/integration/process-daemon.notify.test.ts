/**
 * Process daemons with real processes: the notify socket (EVENT=, METRICS=, STATUS=,
 * SUBSCRIBE=, malformed messages) and the per-daemon log files with rotation.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  eventually,
  nextEvent,
  NOTIFY_SCRIPT,
  QUICK_POLICY,
  processManagerPerTest,
} from "../support/process-harness.ts";

const notifyScript = NOTIFY_SCRIPT;
const quick = { ...QUICK_POLICY, restart: "never" as const };

const setup = processManagerPerTest();

describe("process daemons: the notify socket", () => {
  it("EVENT= publishes on the bus with the daemon as source; METRICS= feeds status", async () => {
    const { manager } = setup();
    manager.register(
      "sensor",
      {
        command: process.execPath,
        args: [
          notifyScript,
          'send:METRICS={"temperature":21.5,"unit":"C"}',
          "send:READY=1",
          "wait:100",
          'send:EVENT={"type":"sensor.reading","data":{"celsius":21.5}}',
          'send:METRICS={"temperature":22}',
        ],
        ready: { notify: true },
      },
      quick,
    );
    const reading = nextEvent(manager, (e) => e.type === "sensor.reading");
    await manager.start("sensor");
    expect(await reading).toMatchObject({ source: "sensor", data: { celsius: 21.5 } });
    await eventually(
      () => manager.statusOf("sensor").metrics?.temperature === 22,
      5_000,
      "metrics",
    );
    expect(manager.statusOf("sensor").metrics).toEqual({ temperature: 22, unit: "C" });
  });

  it("SUBSCRIBE= streams matching events back as JSON lines", async () => {
    const { manager, stateDir } = setup();
    manager.register(
      "listener",
      {
        command: process.execPath,
        args: [notifyScript, "echo-events", "send:SUBSCRIBE=job.done", "wait:50", "send:READY=1"],
        ready: { notify: true },
      },
      quick,
    );
    await manager.start("listener");
    manager.bus.publish("job.other", { ignored: true });
    manager.bus.publish("job.done", { id: 7 });
    const log = join(stateDir, "logs", "listener.log");
    const line = await eventually(
      () =>
        existsSync(log) &&
        readFileSync(log, "utf8")
          .split("\n")
          .find((l) => l.includes('"job.done"')),
      5_000,
      "the event echoed into the log",
    );
    const envelope = JSON.parse(line.slice(line.indexOf("{")));
    expect(envelope).toMatchObject({ type: "job.done", source: "warden", data: { id: 7 } });
    expect(readFileSync(log, "utf8")).not.toContain("job.other");
  });

  it("malformed messages are logged and counted, never fatal", async () => {
    const { manager } = setup();
    manager.register(
      "sloppy",
      {
        command: process.execPath,
        args: [
          notifyScript,
          "send:HELLO=1",
          "send:EVENT={not json",
          'send:EVENT={"type":"DAEMON_STARTED"}',
          "send:METRICS=[1,2]",
          "send:READY=1",
        ],
        ready: { notify: true },
      },
      quick,
    );
    await manager.start("sloppy");
    expect(manager.statusOf("sloppy").state).toBe("RUNNING");
    await eventually(
      () => manager.statusOf("sloppy").process?.invalidNotifyMessages === 4,
      5_000,
      "four malformed messages counted",
    );
  });
});

describe("process daemons: logs", () => {
  it("stdout and stderr go to <stateDir>/logs/<name>.log with time and stream per line", async () => {
    const { manager, stateDir } = setup();
    manager.register(
      "talker",
      {
        command: "sh",
        args: ["-c", "echo out-line; echo err-line >&2; echo ready; exec sleep 30"],
        ready: { stdout: "ready" },
      },
      quick,
    );
    await manager.start("talker");
    const log = join(stateDir, "logs", "talker.log");
    const text = await eventually(
      () => {
        const content = existsSync(log) ? readFileSync(log, "utf8") : "";
        return content.includes("stderr err-line") ? content : undefined;
      },
      5_000,
      "both lines in the log",
    );
    expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z stdout out-line$/m);
    expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z stderr err-line$/m);
  });

  it("rotates by size and keeps maxFiles files", async () => {
    const { manager, stateDir } = setup();
    manager.register(
      "chatty",
      {
        command: "sh",
        args: [
          "-c",
          "i=0; while [ $i -lt 400 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done; echo done; exec sleep 30",
        ],
        ready: { stdout: "^done$" },
        logs: { maxBytes: 4096, maxFiles: 3 },
      },
      quick,
    );
    await manager.start("chatty");
    const dir = join(stateDir, "logs");
    const files = await eventually(
      () => {
        const names = readdirSync(dir).filter((name) => name.startsWith("chatty.log"));
        return names.length === 3 ? names.sort() : undefined;
      },
      5_000,
      "three log files",
    );
    expect(files).toEqual(["chatty.log", "chatty.log.1", "chatty.log.2"]);
    for (const name of files) {
      expect(readFileSync(join(dir, name)).length).toBeLessThanOrEqual(4096);
    }
    expect(readFileSync(join(dir, "chatty.log"), "utf8")).toContain("stdout done");
  });
});
