/**
 * Cuts a byte stream (a process's stdout or stderr) into lines, however its chunks fall: a line
 * split across chunks waits for its end, `\r\n` and `\n` both end a line, and a line that never
 * ends is cut into pieces of at most `maxLineBytes`, so that memory stays bounded.
 */

/** The longest partial line kept by default; a longer one is given out as a line of its own. */
export const MAX_PARTIAL_LINE_BYTES = 64 * 1024;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Splits chunks into lines, as bytes, without their line ending. Bytes are never decoded, so a
 * UTF-8 character split across chunks stays whole and other encodings pass through unchanged.
 *
 * @example
 * const lines = new LineSplitter();
 * lines.push("hel"); // []
 * lines.push("lo\r\nwor").map(String); // ["hello"]
 * String(lines.flush()); // "wor"
 */
export class LineSplitter {
  private partial = Buffer.alloc(0);

  constructor(private readonly maxLineBytes: number = MAX_PARTIAL_LINE_BYTES) {}

  /** The lines that `chunk` completes; what follows the last line ending waits for more. */
  push(chunk: Buffer | string): Buffer[] {
    const data = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    const bytes = this.partial.length === 0 ? data : Buffer.concat([this.partial, data]);
    const lines: Buffer[] = [];
    let start = 0;
    for (let end = bytes.indexOf(NEWLINE); end !== -1; end = bytes.indexOf(NEWLINE, start)) {
      const last = end > start && bytes[end - 1] === CARRIAGE_RETURN ? end - 1 : end;
      lines.push(bytes.subarray(start, last));
      start = end + 1;
    }
    while (bytes.length - start > this.maxLineBytes) {
      const cut = characterBoundary(bytes, start + this.maxLineBytes, start);
      lines.push(bytes.subarray(start, cut));
      start = cut;
    }
    // A copy, so that the kept tail does not hold a whole large chunk in memory.
    this.partial = Buffer.from(bytes.subarray(start));
    return lines;
  }

  /** The partial line, if any, as it is; the splitter is empty afterwards. */
  flush(): Buffer | undefined {
    const rest = this.partial;
    this.partial = Buffer.alloc(0);
    return rest.length > 0 ? rest : undefined;
  }
}

/** `at`, moved back to the start of the UTF-8 character it falls in (never to `floor`). */
function characterBoundary(bytes: Buffer, at: number, floor: number): number {
  let cut = at;
  // Continuation bytes are 10xxxxxx; a character has at most three of them.
  while (cut > floor + 1 && cut > at - 3 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
  return cut;
}
