/**
 * One Server-Sent Event: the `id:`, `event:` and `data:` fields of one block (WHATWG HTML
 * §9.2.6). `event` is `"message"` when the block names none; `data` joins its `data:` lines
 * with `\n`.
 */
export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/**
 * Parses a Server-Sent Events stream however its chunks fall: a line or a `\r\n` split across
 * chunks waits for the rest. Lines end with `\n`, `\r\n` or `\r`; a blank line ends an event;
 * `:` lines are comments (keep-alives); `retry:` and unknown fields are ignored. An event
 * without data is dropped, as browsers do; a block cut off by the end of the stream is too.
 *
 * @example
 * const parser = new SseParser((event) => console.log(event.event, JSON.parse(event.data)));
 * parser.push("event: DAEMON_STARTED\nda");
 * parser.push('ta: {"daemon":"api"}\n\n'); // logs DAEMON_STARTED { daemon: "api" }
 */
export class SseParser {
  private partial = "";
  /** The previous chunk ended with `\r`: a `\n` starting the next one belongs to it. */
  private afterCarriageReturn = false;
  private id: string | undefined;
  private event = "";
  private data: string[] = [];

  constructor(private readonly onEvent: (event: SseEvent) => void) {}

  /** Takes the next decoded chunk of the stream and reports every event it completes. */
  push(chunk: string): void {
    let text = chunk;
    if (this.afterCarriageReturn && text.startsWith("\n")) text = text.slice(1);
    this.afterCarriageReturn = false;
    let start = 0;
    for (let end = nextLineEnd(text, start); end !== -1; end = nextLineEnd(text, start)) {
      const line = this.partial + text.slice(start, end);
      this.partial = "";
      if (text[end] === "\r" && end + 1 === text.length) this.afterCarriageReturn = true;
      start = text[end] === "\r" && text[end + 1] === "\n" ? end + 2 : end + 1;
      this.line(line);
    }
    this.partial += text.slice(start);
  }

  private line(line: string): void {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    // An id holding NUL is ignored by the standard (it could not be sent back as a header).
    else if (field === "id" && !value.includes("\0")) this.id = value;
  }

  private dispatch(): void {
    const data = this.data;
    const event = this.event;
    this.data = [];
    this.event = "";
    if (data.length === 0) return;
    // The last id persists across events, as the standard's "last event ID buffer" does.
    this.onEvent({ id: this.id, event: event === "" ? "message" : event, data: data.join("\n") });
  }
}

function nextLineEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const char = text[i];
    if (char === "\n" || char === "\r") return i;
  }
  return -1;
}
