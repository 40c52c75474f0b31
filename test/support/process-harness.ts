import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { filter, firstValueFrom, timeout } from "rxjs";
import { afterEach } from "vitest";
import { DaemonManager } from "../../runtime/manager/daemon-manager.ts";
import type { Envelope } from "../../machines/envelope.ts";

export const PROCESS_FIXTURES = fileURLToPath(new URL("../fixtures/processes/", import.meta.url));
/** A Node program that plays notify-socket steps (see the fixture's header). */
export const NOTIFY_SCRIPT = join(PROCESS_FIXTURES, "notify-script.mjs");
/** Timeouts short enough for tests, long enough for a loaded machine. */
export const QUICK_POLICY = { startTimeoutMs: 5_000, stopTimeoutMs: 2_000 } as const;

/**
 * Call once at the top of a test file: returns `setup()`, which gives each test its own
 * processManager(), closed (with every process it started) after the test.
 */
export function processManagerPerTest(): () => ReturnType<typeof processManager> {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });
  return () => {
    const harness = processManager();
    cleanup = harness.cleanup;
    return harness;
  };
}

/** A manager whose state directory is a fresh temporary folder; `cleanup` closes both. */
export function processManager(): {
  manager: DaemonManager;
  stateDir: string;
  events: Envelope[];
  cleanup: () => Promise<void>;
} {
  const stateDir = mkdtempSync(join(tmpdir(), "warden-proc-"));
  const manager = new DaemonManager({ stateDir, captureEscapedErrors: false });
  const events: Envelope[] = [];
  manager.events$.subscribe((event) => events.push(event));
  return {
    manager,
    stateDir,
    events,
    cleanup: async () => {
      await manager.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** The next event (from now on) that matches; rejects after `ms`. */
export function nextEvent(
  manager: DaemonManager,
  match: (event: Envelope) => boolean,
  ms = 10_000,
): Promise<Envelope> {
  return firstValueFrom(manager.events$.pipe(filter(match), timeout(ms)));
}

/** Resolves when `check` holds, polling every 20 ms; rejects after `ms`. */
export async function eventually<T>(
  check: () => T | undefined | false,
  ms = 10_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== "object" || address === null) throw new Error("no port");
  return address.port;
}
