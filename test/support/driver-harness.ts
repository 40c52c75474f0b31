/**
 * A ProcessDriver on its own, without the lifecycle machine around it: for tests of what the
 * driver does at a stop, a kill or a dispose. Each test gets a fresh state directory and a
 * logger that keeps every line; every driver is disposed (its processes killed) after the test.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { systemClock } from "../../actors/clock.ts";
import { ProcessDriver, type ProcessDriverOptions } from "../../actors/process-daemon.ts";
import type { ProcessDaemonSpec } from "../../actors/process-spec.ts";
import type { DaemonLogger } from "../../actors/daemon-types.ts";
import { EventBus } from "../../runtime/bus/event-bus.ts";

export interface LoggedLine {
  level: "debug" | "info" | "warn" | "error";
  message: string;
  fields: Record<string, unknown> | undefined;
}

export interface DriverHarness {
  stateDir: string;
  /** Everything the drivers logged, in order. */
  logged: LoggedLine[];
  driver(
    name: string,
    spec: ProcessDaemonSpec,
    options?: Partial<ProcessDriverOptions>,
  ): ProcessDriver;
}

/**
 * Call once at the top of a test file; `setup()` in a test gives its harness.
 *
 * @example
 * const setup = driverPerTest();
 * it("…", async () => { const { driver } = setup(); const d = driver("x", { command: "sleep", args: ["9"] }); });
 */
export function driverPerTest(): () => DriverHarness {
  let drivers: ProcessDriver[] = [];
  let stateDir: string | undefined;
  afterEach(async () => {
    // dispose() kills what is left; a test that broke it must not hang the others for ever.
    await Promise.race([
      Promise.allSettled(drivers.map((driver) => driver.dispose())),
      new Promise((resolve) => setTimeout(resolve, 10_000)),
    ]);
    drivers = [];
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
    stateDir = undefined;
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), "warden-driver-"));
    stateDir = dir;
    const logged: LoggedLine[] = [];
    const line =
      (level: LoggedLine["level"]) => (message: string, fields?: Record<string, unknown>) =>
        logged.push({ level, message, fields });
    const logger: DaemonLogger = {
      debug: line("debug"),
      info: line("info"),
      warn: line("warn"),
      error: line("error"),
    };
    const bus = new EventBus({ clock: systemClock });
    return {
      stateDir: dir,
      logged,
      driver: (name, spec, options = {}) => {
        const driver = new ProcessDriver({
          name,
          spec,
          stateDir: dir,
          bus: bus.client(name),
          logger,
          clock: systemClock,
          heartbeatTimeoutMs: undefined,
          ...options,
        });
        drivers.push(driver);
        return driver;
      },
    };
  };
}

/** An AbortSignal that nobody aborts: a start or stop with no deadline of its own. */
export function never(): AbortSignal {
  return new AbortController().signal;
}
