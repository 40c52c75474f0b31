/**
 * The manager owns its state directory (SPEC §13): when someone deletes it (or swaps it for
 * another directory) while the manager runs, the manager notices within a second, creates it
 * again (mode 0700) and restores what lives there — the lock record, the token, manager.json,
 * the notify sockets — so that `warden status` keeps finding it and notify daemons keep talking
 * to it. The lock itself never depended on the directory (runtime/state-lock.ts). What cannot be
 * restored is reported: `problem()` says what, for `/readyz` and `warden status`.
 */
import { chmodSync, existsSync, mkdirSync, statSync } from "node:fs";
import type { Logger } from "../logger.ts";
import { messageOf } from "../../machines/errors.ts";

export interface StateDirGuardOptions {
  stateDir: string;
  /** Each puts back one thing the directory held; called in order after it is re-created. */
  restore: ReadonlyArray<() => unknown>;
  logger: Logger;
  /**
   * A file the manager keeps in the directory (the lock record): when it is missing, the
   * directory was emptied and is restored too.
   */
  marker: string;
  /** How often the directory is looked at. */
  intervalMs?: number;
}

export class StateDirGuard {
  private timer: NodeJS.Timeout | undefined;
  private inode: number | undefined;
  private trouble: string | undefined;
  private checking: Promise<void> | undefined;

  constructor(private readonly options: StateDirGuardOptions) {}

  /** Remembers the directory as it is now and looks at it every `intervalMs`. */
  start(): void {
    this.inode = this.currentInode();
    this.timer = setInterval(() => void this.check(), this.options.intervalMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** What is wrong with the state directory right now; undefined when nothing is. */
  problem(): string | undefined {
    return this.trouble;
  }

  /** Looks once; re-creates and restores the directory if it is gone or was replaced. */
  check(): Promise<void> {
    this.checking ??= this.repairIfNeeded().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async repairIfNeeded(): Promise<void> {
    const { stateDir, logger } = this.options;
    const inode = this.currentInode();
    const intact = inode !== undefined && inode === this.inode && existsSync(this.options.marker);
    if (intact && this.trouble === undefined) return;
    try {
      if (inode === undefined) {
        mkdirSync(stateDir, { recursive: true, mode: 0o700 });
        chmodSync(stateDir, 0o700);
      }
      for (const restore of this.options.restore) await restore();
      const before = this.inode;
      this.inode = this.currentInode();
      if (!intact) {
        logger.warn(
          `the state directory ${stateDir} was ${inode === undefined ? "deleted" : inode === before ? "emptied" : "replaced"}; ` +
            "re-created the lock record, token, manager.json and notify sockets",
        );
      }
      this.trouble = undefined;
    } catch (error) {
      const trouble = `cannot restore the state directory ${stateDir}: ${messageOf(error)}`;
      if (trouble !== this.trouble) logger.error(trouble);
      this.trouble = trouble;
    }
  }

  private currentInode(): number | undefined {
    try {
      return statSync(this.options.stateDir).ino;
    } catch {
      // Gone (or unreachable): the next check re-creates it.
      return undefined;
    }
  }
}
