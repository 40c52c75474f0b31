import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { BoundedOutput } from "../../cli/bounded-output.ts";

/** A stream whose reader is paused: everything written stays queued until `drainAll()`. */
class PausedPipe extends EventEmitter {
  queued: string[] = [];
  delivered: string[] = [];
  get writableLength(): number {
    return this.queued.reduce((sum, chunk) => sum + chunk.length, 0);
  }
  write(chunk: string): boolean {
    this.queued.push(chunk);
    return false;
  }
  drainAll(): void {
    this.delivered.push(...this.queued.splice(0));
    this.emit("drain");
  }
}

describe("BoundedOutput", () => {
  it("queues no more than its limit toward a reader that does not read, and counts the rest", () => {
    const pipe = new PausedPipe();
    const output = new BoundedOutput(pipe, 1000);
    const line = `${"x".repeat(99)}\n`;
    for (let i = 0; i < 100_000; i++) output.write(line);
    expect(pipe.writableLength).toBeLessThanOrEqual(1000);
    expect(output.dropped).toBe(100_000 - 10);
  });

  it("says how many lines it dropped once the reader catches up, where the gap is", () => {
    const pipe = new PausedPipe();
    const output = new BoundedOutput(pipe, 100);
    for (let i = 0; i < 30; i++) output.write(`line ${String(i).padStart(4, "0")}\n`);
    pipe.drainAll();
    output.write("after\n");
    pipe.drainAll();
    const text = pipe.delivered.join("");
    expect(text).toMatch(/line 0009\nwarden: 20 lines \(200 bytes\) of output dropped here/);
    expect(text.endsWith("after\n")).toBe(true);
    expect(output.dropped).toBe(0);
  });
});
