/**
 * The CROSS_PROCESS_POLLER built-in daemon (SPEC §5; docs/journal.md, docs/builtins.md):
 * delivers the events other processes append to the journal's inbox — `warden emit` when no
 * manager answers, scripts in any language, other programs — onto the manager's bus, in the
 * inbox's order, each journaled first (runtime/journal/inbox-mover.ts).
 *
 * When it looks: at once on start (what was appended while no manager ran), whenever the hint
 * file `<stateDir>/journal.hint` changes (appenders rewrite it after their commit; it is watched,
 * not the journal's `-wal` file, which the manager's own writes and SQLite's checkpoints change
 * all the time), and every `pollMs` as a fallback for appenders that do not touch the hint or a
 * file system that does not report it. A poll costs one `PRAGMA data_version` on the manager's
 * connection — it changes only when another connection commits — and reads the inbox only then.
 * At most `batchSize` rows are moved per turn of the event loop, so a flood of appends never
 * holds the manager for long.
 *
 * A row that is not a valid event is deleted from the inbox, counted (`rejected`), logged with
 * its reason and announced as an `INBOX_REJECTED` event, so nothing disappears silently. While
 * the journal cannot be written the rows wait in the inbox, where they are safe.
 */
import { existsSync, watch, writeFileSync, type FSWatcher } from "node:fs";
import { join } from "node:path";
import type { DaemonContext, HealthReport, InProcessDaemon } from "../../actors/daemon-types.ts";
import { messageOf } from "../../machines/errors.ts";
import type { EventBus } from "../bus/event-bus.ts";
import { InboxMover, type InboxMove } from "../journal/inbox-mover.ts";
import { JOURNAL_HINT_FILE } from "../journal/journal-db.ts";
import type { Journal } from "../journal/journal.ts";

export interface CrossProcessPollerOptions {
  /** The manager's bus, whose journal is `journal`. */
  bus: EventBus;
  /** The manager's journal; without one the poller has nothing to poll and says so. */
  journal: Journal | undefined;
  /** The state directory, for the hint file. */
  stateDir: string;
  /** The fallback poll, in ms. Default 250. */
  pollMs?: number;
  /** Inbox rows moved per turn of the event loop at most. Default 512. */
  batchSize?: number;
  /** Watch the hint file (default true); false: the poll alone. */
  watchHint?: boolean;
}

/** The event announcing an inbox row that could not be delivered, with its reason. */
export const INBOX_REJECTED = "INBOX_REJECTED";

/** `getMetrics()` of CROSS_PROCESS_POLLER, since it was made (its restarts included). */
export interface CrossProcessPollerMetrics extends Record<string, number | string> {
  /** Events moved from the inbox and delivered. */
  delivered: number;
  /** Inbox rows that were not valid events: deleted, logged, announced. */
  rejected: number;
  /** Moves that failed (the journal could not be written); their rows stayed in the inbox. */
  failures: number;
  /** Wake-ups by the hint file. */
  wakes: number;
  /** Polls that found another process had written to the journal. */
  polled: number;
  /** From the last delivered event's `time` to its delivery, in ms. */
  lastLatencyMs: number;
  /** "hint" while the hint file is watched, "poll" when only the poll runs. */
  mode: string;
}

export interface CrossProcessPoller extends InProcessDaemon {
  start(ctx: DaemonContext): void;
  stop(ctx: DaemonContext): void;
  healthCheck(): HealthReport;
  getMetrics(): CrossProcessPollerMetrics;
}

/**
 * Makes CROSS_PROCESS_POLLER for a manager's bus and journal.
 *
 * @example
 * const journal = Journal.open(".warden");
 * const manager = new DaemonManager({ stateDir: ".warden", journal });
 * manager.register("CROSS_PROCESS_POLLER", crossProcessPoller({ bus: manager.bus, journal, stateDir: ".warden" }));
 */
export function crossProcessPoller(options: CrossProcessPollerOptions): CrossProcessPoller {
  const { bus, journal, stateDir } = options;
  const pollMs = positive("pollMs", options.pollMs ?? 250);
  const batchSize = positive("batchSize", options.batchSize ?? 512);
  const hint = join(stateDir, JOURNAL_HINT_FILE);
  const metrics: CrossProcessPollerMetrics = {
    delivered: 0,
    rejected: 0,
    failures: 0,
    wakes: 0,
    polled: 0,
    lastLatencyMs: 0,
    mode: "poll",
  };
  let mover: InboxMover | undefined;
  let context: DaemonContext | undefined;
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let scheduled = false;
  /** A move failed or was put off: the next poll moves, whether anyone committed or not. */
  let owed = false;
  let problem: string | undefined;

  /** Moves and delivers one batch; schedules the next when there may be more. */
  const drain = (): void => {
    scheduled = false;
    const ctx = context;
    if (!ctx || !mover) return;
    if (journal!.degraded) {
      owed = true;
      problem = `the journal cannot be written (${journal!.degraded.error.message}): appended events wait in the inbox`;
      return;
    }
    let move: InboxMove;
    try {
      // Noted before the read: a commit after it changes the version again, and is polled.
      mover.changed();
      move = mover.move(batchSize);
    } catch (error) {
      metrics.failures++;
      owed = true;
      const said = `cannot move the inbox into the journal: ${messageOf(error)}`;
      if (problem !== said) ctx.logger.error(`${said}; the events wait in the inbox`);
      problem = said;
      return;
    }
    problem = undefined;
    owed = false;
    deliver(ctx, move);
    if (move.more) schedule();
  };

  const deliver = (ctx: DaemonContext, move: InboxMove): void => {
    for (const { seq, envelope } of move.moved) {
      try {
        bus.deliver(envelope, seq);
      } catch (error) {
        // Journaled all the same: durable subscribers get it at the next start.
        ctx.logger.error(`delivering ${envelope.type} failed`, { err: messageOf(error) });
      }
      metrics.delivered++;
      metrics.lastLatencyMs = Math.max(0, Date.now() - envelope.time);
    }
    for (const { inboxSeq, reason } of move.rejected) {
      metrics.rejected++;
      ctx.logger.warn(`inbox row ${inboxSeq} is not a valid event and was dropped: ${reason}`, {
        inboxSeq,
      });
      try {
        ctx.bus.publish(INBOX_REJECTED, { inboxSeq, reason });
      } catch (error) {
        ctx.logger.error(`cannot publish ${INBOX_REJECTED}`, { err: messageOf(error) });
      }
    }
  };

  /** Drains in the next turn, once however many wake-ups come meanwhile. */
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(drain);
  };

  const poll = (): void => {
    if (watcher === undefined && context && options.watchHint !== false && existsSync(hint)) {
      watchHint(context, false);
    }
    try {
      // changed() first: it also takes note of the version this poll saw.
      if (!mover?.changed() && !owed) return;
    } catch (error) {
      problem = `cannot read the journal: ${messageOf(error)}`;
      return;
    }
    metrics.polled++;
    schedule();
  };

  const watchHint = (ctx: DaemonContext, create: boolean): void => {
    unwatch();
    try {
      // The file must exist to be watched; rewriting it keeps it one byte long. Made only at
      // start: re-made at once after a deletion, it would fight whoever empties the directory.
      if (create) writeFileSync(hint, "\n");
      watcher = watch(hint, { persistent: false }, (eventType) => {
        metrics.wakes++;
        schedule();
        // Deleted or replaced: the poll watches the file again once an appender has made it.
        if (eventType === "rename") {
          unwatch();
          metrics.mode = "poll";
        }
      });
      watcher.on("error", () => {
        unwatch();
        metrics.mode = "poll";
      });
      metrics.mode = "hint";
    } catch (error) {
      metrics.mode = "poll";
      ctx.logger.warn(`cannot watch ${hint}; polling every ${pollMs} ms`, {
        err: messageOf(error),
      });
    }
  };

  const unwatch = (): void => {
    watcher?.close();
    watcher = undefined;
  };

  return {
    start(ctx) {
      if (journal === undefined) {
        ctx.logger.warn("the manager has no journal: there is no inbox to deliver from");
        return;
      }
      context = ctx;
      mover ??= new InboxMover(journal);
      if (options.watchHint !== false) watchHint(ctx, true);
      timer = setInterval(poll, pollMs);
      timer.unref();
      // What was appended while no manager ran.
      drain();
    },
    stop() {
      context = undefined;
      clearInterval(timer);
      unwatch();
      metrics.mode = "poll";
    },
    healthCheck() {
      if (journal === undefined) return { healthy: true, detail: "no journal: nothing to poll" };
      return problem === undefined ? { healthy: true } : { healthy: false, detail: problem };
    },
    getMetrics: () => ({ ...metrics }),
  };
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`CROSS_PROCESS_POLLER ${name} must be a positive number, got ${value}`);
  }
  return value;
}
