/**
 * No child outlives its manager (SPEC §4), on every way out: an ordered close stops the daemons;
 * the first start reaps what a killed manager left (actors/reap-orphans.ts);
 * `process.exit` (a second Ctrl-C, a fatal error) runs the `exit` hook, which SIGKILLs every
 * process group at once; a death that runs no code at all (SIGKILL, the OOM killer, a native
 * crash) is covered by the sentinel process (actors/group-sentinel.ts), which learns each group
 * as it appears and stops the ones still there when the manager's pipe closes.
 */
import { GroupSentinel, type GuardedInstance } from "../../actors/group-sentinel.ts";
import { reapOrphans } from "../../actors/reap-orphans.ts";
import type { Logger } from "../logger.ts";

export class ProcessGuard {
  private installed = false;
  private reaping: Promise<void> | undefined;
  private sentinel: GroupSentinel | undefined;
  /** Daemon name → the instance the sentinel guards for it. */
  private readonly instances = new Map<string, GuardedInstance>();

  /** `killNow` ends every process at once, synchronously: the manager's process is exiting. */
  constructor(
    private readonly killNow: () => void,
    private readonly logger: Logger,
  ) {}

  /** From the first process daemon on. */
  install(): void {
    if (this.installed) return;
    this.installed = true;
    process.on("exit", this.killNow);
    this.sentinel = new GroupSentinel((message) => this.logger.warn(message));
  }

  get active(): boolean {
    return this.installed;
  }

  /** The sentinel's pid while it runs (for `ps`-minded people and tests). */
  get sentinelPid(): number | undefined {
    return this.sentinel?.pid;
  }

  /** `daemon`'s current instance (undefined: nothing of it runs any more). */
  track(daemon: string, instance: GuardedInstance | undefined): void {
    const previous = this.instances.get(daemon);
    if (previous?.pgid === instance?.pgid) return;
    if (previous !== undefined) this.sentinel?.remove(previous);
    if (instance === undefined) {
      this.instances.delete(daemon);
      return;
    }
    this.instances.set(daemon, instance);
    this.sentinel?.add(instance);
  }

  /**
   * Before the first start of a process daemon: stops what a manager that was killed with
   * SIGKILL left running (recorded in `pidsDir` by pid, start time and instance marker, so that
   * a pid the system has since reused is never touched). Runs once; later calls share it.
   */
  reapOrphansOnce(pidsDir: string): Promise<void> {
    this.reaping ??= reapOrphans(pidsDir, {
      onProblem: (message) => this.logger.warn(message),
      onOutcome: (outcome) => {
        if (outcome.action === "gone") return;
        this.logger.warn(
          { daemon: outcome.daemon, pid: outcome.pid, action: outcome.action },
          "process left behind by an earlier manager",
        );
      },
    }).then(() => undefined);
    return this.reaping;
  }

  /** The manager closed in order: nothing is left to guard. */
  release(): void {
    if (!this.installed) return;
    this.installed = false;
    process.off("exit", this.killNow);
    this.sentinel?.close();
    this.sentinel = undefined;
    this.instances.clear();
  }
}
