/**
 * Output toward a reader that may not keep up (`warden up | less` paused, a stalled log shipper):
 * Node queues every write that the pipe cannot take at once, without limit. This writer stops
 * queueing past `maxQueuedBytes`, drops whole lines and counts them, and once the reader has
 * caught up says how many it dropped, where the gap is. Daemons' own log files are not affected.
 */

/** The part of a writable stream this needs (process.stdout and process.stderr fit). */
export interface QueueingStream {
  write(chunk: string): boolean;
  readonly writableLength: number;
  once(event: "drain", listener: () => void): unknown;
}

/** Past this much unsent output, lines are dropped. */
export const MAX_QUEUED_OUTPUT_BYTES = 4 * 1024 * 1024;

export class BoundedOutput {
  private droppedLines = 0;
  private droppedBytes = 0;
  private waitingForDrain = false;

  constructor(
    private readonly stream: QueueingStream,
    private readonly maxQueuedBytes = MAX_QUEUED_OUTPUT_BYTES,
  ) {}

  /** Lines dropped since the reader last caught up (reported, then reset). */
  get dropped(): number {
    return this.droppedLines;
  }

  write(text: string): void {
    if (this.stream.writableLength + text.length > this.maxQueuedBytes) {
      this.droppedLines += countLines(text);
      this.droppedBytes += Buffer.byteLength(text);
      this.reportOnDrain();
      return;
    }
    this.flushReport();
    this.stream.write(text);
  }

  private reportOnDrain(): void {
    if (this.waitingForDrain) return;
    this.waitingForDrain = true;
    this.stream.once("drain", () => {
      this.waitingForDrain = false;
      this.flushReport();
    });
  }

  private flushReport(): void {
    if (this.droppedLines === 0) return;
    const note =
      `warden: ${this.droppedLines} ${this.droppedLines === 1 ? "line" : "lines"} ` +
      `(${this.droppedBytes} bytes) of output dropped here: it was not read fast enough\n`;
    this.droppedLines = 0;
    this.droppedBytes = 0;
    this.stream.write(note);
  }
}

function countLines(text: string): number {
  let lines = 0;
  for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) lines++;
  return Math.max(lines, 1);
}
