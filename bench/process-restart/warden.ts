/** Benchmark (d)'s warden contender: the program as a process daemon with zero backoff. */
import { filter, firstValueFrom, map, timeout } from "rxjs";
import { DaemonManager } from "../../runtime/manager/daemon-manager.ts";
import {
  crash,
  DAEMON,
  FIXTURE,
  isCrashOf,
  STEP_TIMEOUT_MS,
  wallClock,
  type Contender,
  type Measurement,
  type StampFile,
} from "./contender.ts";

export async function wardenContender(stamps: StampFile, stateDir: string): Promise<Contender> {
  const manager = new DaemonManager({ stateDir, captureEscapedErrors: false });
  manager.register(
    DAEMON,
    {
      command: process.execPath,
      args: [FIXTURE],
      env: { BENCH_STAMPS: stamps.path },
      ready: { stdout: "^ready$" },
    },
    {
      restart: "always",
      backoff: { initialMs: 0, maxMs: 0, factor: 1 },
      // Hundreds of restarts a minute is the point here, not a crash loop to stop.
      maxRestarts: 1_000_000,
      startTimeoutMs: STEP_TIMEOUT_MS,
    },
  );
  try {
    await manager.start(DAEMON);
  } catch (error) {
    await manager.close();
    throw error;
  }
  const arrival = (type: string) =>
    firstValueFrom(
      manager.events$.pipe(
        filter((e) => e.type === type && (e.data as { daemon?: string }).daemon === DAEMON),
        map(() => wallClock()),
        timeout({ first: STEP_TIMEOUT_MS }),
      ),
    );
  const measure = async (): Promise<Measurement> => {
    const restarting = arrival("DAEMON_RESTARTING");
    const started = arrival("DAEMON_STARTED");
    // Both are awaited below; these only keep a rejection after an earlier failure quiet.
    restarting.catch(() => {});
    started.catch(() => {});
    const pid = crash(manager.statusOf(DAEMON).process?.pid, "warden's daemon");
    const readyAt = await started.catch((error: unknown) => {
      const state = manager.statusOf(DAEMON).state;
      throw new Error(`process-restart: warden did not restart pid ${pid} (now ${state})`, {
        cause: error,
      });
    });
    const crashed = await stamps.next(`the crash stamp of pid ${pid}`, (s) => isCrashOf(s, pid));
    if (manager.statusOf(DAEMON).process?.pid === pid) {
      throw new Error(`process-restart: warden reported DAEMON_STARTED for the crashed pid ${pid}`);
    }
    return { ms: readyAt - crashed.at, noticedMs: (await restarting) - crashed.at };
  };
  return { name: "warden", measure, close: () => manager.close() };
}
