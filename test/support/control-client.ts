/**
 * A small client of the control API for tests: JSON requests with or without the token, and a
 * Server-Sent Events reader that keeps every frame it receives.
 */
import { get, type IncomingMessage } from "node:http";

export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/**
 * One request; the body is parsed as JSON when it is JSON.
 *
 * @example
 * const { status, body } = await call(base, "/v1/status", { token });
 */
export async function call<T = Record<string, unknown>>(
  base: string,
  path: string,
  options: {
    method?: string;
    token?: string;
    body?: string;
    headers?: Record<string, string>;
    timeoutMs?: number;
  } = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${base}${path}`, {
    method: options.method ?? "GET",
    headers,
    body: options.body,
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  const text = await response.text();
  const json = response.headers.get("content-type")?.includes("application/json");
  return {
    status: response.status,
    headers: response.headers,
    body: (json ? JSON.parse(text) : undefined) as T,
    text,
  };
}

export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  /** Comment lines (`: keep-alive`). */
  comments: string[];
}

export interface SseReader {
  frames: SseFrame[];
  response: IncomingMessage;
  /** Resolves with the first frame (already received or to come) that matches. */
  next(match: (frame: SseFrame) => boolean, timeoutMs?: number): Promise<SseFrame>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/**
 * Opens `GET path` as an event stream and reads it until closed.
 *
 * @example
 * const stream = await openEventStream(base, "/v1/events?follow=true", token);
 * await stream.next((frame) => frame.event === "DAEMON_STARTED");
 */
export function openEventStream(
  base: string,
  path: string,
  token: string,
  headers: Record<string, string> = {},
): Promise<SseReader> {
  return new Promise((resolve, reject) => {
    const request = get(`${base}${path}`, {
      headers: { authorization: `Bearer ${token}`, ...headers },
    });
    request.setTimeout(10_000, () => request.destroy(new Error(`no answer to GET ${path}`)));
    request.on("error", reject);
    request.on("response", (response) => {
      request.setTimeout(0);
      const frames: SseFrame[] = [];
      const waiters = new Set<() => void>();
      let buffer = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          frames.push(parseFrame(buffer.slice(0, end)));
          buffer = buffer.slice(end + 2);
        }
        for (const waiter of waiters) waiter();
      });
      const ended = new Promise<void>((done) => response.on("close", done));
      resolve({
        frames,
        response,
        ended,
        close: () => request.destroy(),
        next: (match, timeoutMs = 5_000) =>
          new Promise<SseFrame>((found, fail) => {
            const check = () => {
              const frame = frames.find(match);
              if (!frame) return;
              waiters.delete(check);
              clearTimeout(timer);
              found(frame);
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`no matching event within ${timeoutMs} ms; got ${frames.length}`));
            }, timeoutMs);
            waiters.add(check);
            check();
          }),
      });
    });
  });
}

function parseFrame(text: string): SseFrame {
  const frame: SseFrame = { comments: [] };
  for (const line of text.split("\n")) {
    if (line.startsWith(":")) frame.comments.push(line.slice(1).trim());
    else if (line.startsWith("id: ")) frame.id = line.slice(4);
    else if (line.startsWith("event: ")) frame.event = line.slice(7);
    else if (line.startsWith("data: ")) frame.data = line.slice(6);
  }
  return frame;
}

/**
 * Polls `condition` every 10 ms until it holds; fails after `timeoutMs`.
 *
 * @example
 * await until(() => manager.stateOf("api") === "RUNNING", 5_000, "api running");
 */
export async function until(
  condition: () => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * `promise`, or a failure naming `what` after `timeoutMs`.
 *
 * @example
 * await within(stream.ended, 2_000, "the end of the stream");
 */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
