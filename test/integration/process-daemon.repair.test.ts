/**
 * The state directory deleted under a running manager: the notify socket file goes with it, and
 * ProcessDriver.repair() puts it back so that the daemon (and its next instances) can connect.
 */
import { existsSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { notifySocketPath } from "../../actors/notify-socket-path.ts";
import { driverPerTest } from "../support/driver-harness.ts";
import { eventually } from "../support/process-harness.ts";

const setup = driverPerTest();

/**
 * Says READY=1 on a first connection; on SIGUSR2, connects again and says STATUS=reconnected, as
 * a daemon whose connection broke would.
 */
const RECONNECTING = `
  const { connect } = require("node:net");
  const path = process.env.WARDEN_NOTIFY_SOCKET;
  const first = connect(path);
  first.write("READY=1\\n");
  process.on("SIGUSR2", () => {
    const again = connect(path);
    again.on("error", (error) => console.log("cannot connect: " + error.code));
    again.write("STATUS=reconnected\\n");
  });
  process.on("SIGUSR1", () => first.write("STATUS=first connection\\n"));
  console.log("ready");
  setInterval(() => {}, 1 << 30);`;

describe("ProcessDriver.repair", () => {
  it("re-creates a notify socket whose directory was deleted; new and old connections work", async () => {
    const { driver: create, stateDir } = setup();
    const driver = create("rejoin", {
      command: process.execPath,
      args: ["-e", RECONNECTING],
      ready: { notify: true },
    });
    await driver.start(new AbortController().signal);
    expect(await driver.repair()).toBe(false);
    const pid = driver.details().pid!;
    const socketDir = dirname(notifySocketPath(stateDir, "rejoin"));
    expect(existsSync(socketDir)).toBe(true);

    rmSync(socketDir, { recursive: true, force: true });
    expect(await driver.repair()).toBe(true);
    expect(await driver.repair()).toBe(false);

    process.kill(pid, "SIGUSR2");
    await eventually(() => driver.details().statusText === "reconnected", 5_000, "STATUS= anew");
    process.kill(pid, "SIGUSR1");
    await eventually(
      () => driver.details().statusText === "first connection",
      5_000,
      "STATUS= on the connection made before the repair",
    );
  });
});
