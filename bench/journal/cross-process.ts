/**
 * Benchmark (h), cross-process: another process appends events to the journal's inbox (the
 * documented way in, runtime/journal/inbox.ts) at a steady pace; a manager's CROSS_PROCESS_POLLER
 * delivers them on the bus. Measured: the wall time from the append (stamped by the appender, in
 * the event's data) to the delivery to a subscriber in the manager's process.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { crossProcessPoller } from "../../runtime/builtins/cross-process-poller.ts";
import { Journal } from "../../runtime/journal/journal.ts";
import { DaemonManager } from "../../runtime/manager/daemon-manager.ts";
import type { LatencySample } from "./throughput.ts";

const APPENDER = fileURLToPath(new URL("../fixtures/inbox-appender.ts", import.meta.url));

export interface CrossProcessSample extends LatencySample {
  events: number;
  paceMs: number;
  max: number;
}

/** One run: `events` appended one per `paceMs` by a child process; latencies in ms. */
export async function measureCrossProcess(
  events: number,
  paceMs: number,
): Promise<CrossProcessSample> {
  const stateDir = mkdtempSync(join(tmpdir(), "warden-bench-xp-"));
  const journal = Journal.open(stateDir);
  const manager = new DaemonManager({ stateDir, journal, captureEscapedErrors: false });
  const latencies: number[] = [];
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  try {
    manager.register(
      "CROSS_PROCESS_POLLER",
      crossProcessPoller({ bus: manager.bus, journal, stateDir }),
    );
    await manager.startAll();
    manager.bus.subscribe("BENCH_XP", (event) => {
      const { sentAt } = event.data as { sentAt: number };
      latencies.push(performance.timeOrigin + performance.now() - sentAt);
      if (latencies.length === events) done();
    });
    const child = spawn(
      process.execPath,
      ["--import", "tsx", APPENDER, stateDir, String(events), String(paceMs)],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
    const timeout = setTimeout(() => done(), 60_000 + events * paceMs);
    await all;
    clearTimeout(timeout);
    const code = await exited;
    if (code !== 0) throw new Error(`cross-process benchmark: the appender exited ${code}`);
    if (latencies.length !== events) {
      throw new Error(`cross-process benchmark: ${latencies.length} of ${events} delivered`);
    }
  } finally {
    await manager.close();
    journal.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return { events, paceMs, p50: at(0.5), p99: at(0.99), max: sorted.at(-1)! };
}
