/**
 * Bytes queued toward readers that may not read (SPEC §13: every queue toward a slow reader is
 * bounded in bytes and counts what it drops), bounded per reader and for all readers together.
 * A reader with nothing queued always gets its line, so one that keeps up is never starved by
 * those that stopped reading.
 */
import type { Socket } from "node:net";

/** What one reader has queued, as the budget counts it. */
export interface WriteAccount {
  /** Bytes written whose write callback has not run yet. */
  pending: number;
  /** Set by `release`: the reader is gone and its bytes are off the total. */
  released: boolean;
}

/**
 * @example
 * const budget = new WriteBudget(1024 * 1024, 4 * 1024 * 1024);
 * const account = WriteBudget.account();
 * if (!budget.write(socket, `${json}\n`, account)) dropped++;
 * socket.on("close", () => budget.release(account));
 */
export class WriteBudget {
  private total = 0;

  constructor(
    private readonly perReader: number,
    private readonly allReaders: number,
  ) {}

  static account(): WriteAccount {
    return { pending: 0, released: false };
  }

  /** Bytes written to readers and not known to have reached the kernel yet. */
  get pendingBytes(): number {
    return this.total;
  }

  /** Writes `line` to `socket` unless too much is queued; false when it was dropped. */
  write(socket: Socket, line: string, account: WriteAccount): boolean {
    const bytes = Buffer.byteLength(line);
    // writableLength is exact (it falls as soon as the kernel takes the bytes); `pending` lags
    // until the write callback runs, so the total errs on the safe side.
    const queued = socket.writableLength;
    if (queued > 0 && (queued + bytes > this.perReader || this.total + bytes > this.allReaders)) {
      return false;
    }
    account.pending += bytes;
    this.total += bytes;
    // Called once the kernel has the bytes, or with an error when the socket is destroyed.
    socket.write(line, () => {
      if (account.released) return;
      account.pending -= bytes;
      this.total -= bytes;
    });
    return true;
  }

  /** Takes what `account` still has queued off the total: its reader is gone. */
  release(account: WriteAccount): void {
    if (account.released) return;
    account.released = true;
    this.total -= account.pending;
    account.pending = 0;
  }
}
