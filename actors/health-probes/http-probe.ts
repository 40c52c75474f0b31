/**
 * The `http` health probe of a process daemon (SPEC §4): healthy when a GET of the URL answers
 * 2xx. Redirects are not followed (a 3xx is unhealthy). The body of a 2xx is not read; of any
 * other answer, at most MAX_HTTP_BODY_BYTES are read for the failure's detail, then the rest is
 * cancelled, so that a daemon answering an endless body cannot make the manager buffer it.
 */
import type { HealthResult } from "../health-check-loop.ts";
import { messageOf } from "../../machines/errors.ts";

/** The most of a non-2xx answer's body that is read, for the failure's detail. */
export const MAX_HTTP_BODY_BYTES = 1024;
/** The most of that body shown in the detail, in characters, on one line. */
const MAX_BODY_EXCERPT = 200;

/**
 * One GET of `url`; `signal` gives up on it (the probe's timeout), body read included.
 *
 * @example
 * await probeHttp("http://127.0.0.1:9000/health", AbortSignal.timeout(1000));
 * // { healthy: false, detail: "GET http://127.0.0.1:9000/health answered 503: database down" }
 */
export async function probeHttp(url: string, signal: AbortSignal): Promise<HealthResult> {
  let response: Response;
  try {
    response = await fetch(url, { signal, redirect: "manual" });
  } catch (error) {
    const reason = signal.aborted ? "no answer in time" : `failed: ${causeOf(error)}`;
    return { healthy: false, detail: `GET ${url} ${reason}` };
  }
  if (response.status >= 200 && response.status < 300) {
    // Not read: the status is the answer. Cancelling frees the connection.
    await response.body?.cancel().catch(() => {});
    return { healthy: true };
  }
  const body = await bodyExcerpt(response);
  const answered = `GET ${url} answered ${response.status}`;
  return { healthy: false, detail: body === "" ? answered : `${answered}: ${body}` };
}

/** The start of `response`'s body on one line: at most MAX_HTTP_BODY_BYTES read, then cancelled. */
async function bodyExcerpt(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    while (bytes < MAX_HTTP_BODY_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      bytes += value.byteLength;
    }
  } catch {
    // The body broke off (or the probe timed out): what was read is all there is to show.
  } finally {
    await reader.cancel().catch(() => {});
  }
  const text = Buffer.concat(chunks).subarray(0, MAX_HTTP_BODY_BYTES).toString("utf8");
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > MAX_BODY_EXCERPT ? `${line.slice(0, MAX_BODY_EXCERPT)}…` : line;
}

/** fetch says only "fetch failed"; its cause says why (ECONNREFUSED, a bad URL). */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === "string") return cause.code;
  if (typeof cause?.message === "string") return cause.message;
  return messageOf(error);
}
