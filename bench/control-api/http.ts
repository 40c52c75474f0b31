/** Benchmark (e)'s own requests to the control API, each on a new connection as the CLI makes them. */
import { request as httpRequest } from "node:http";
import { STEP_TIMEOUT_MS } from "./settings.ts";

export interface Answer {
  status: number;
  body: string;
}

/** One HTTP request on a new connection (as the CLI makes it), bounded by STEP_TIMEOUT_MS. */
export function send(method: string, url: string, token?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const request = httpRequest(url, { method, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
      );
      response.on("error", reject);
    });
    request.setTimeout(STEP_TIMEOUT_MS, () =>
      request.destroy(
        new Error(`control-api: ${method} ${url}: no answer in ${STEP_TIMEOUT_MS} ms`),
      ),
    );
    request.on("error", reject);
    request.end();
  });
}

/** `send`, failing unless the answer is 200; its body parsed as JSON. */
export async function sendJson<T>(method: string, url: string, token?: string): Promise<T> {
  const answer = await send(method, url, token);
  if (answer.status !== 200) {
    throw new Error(`control-api: ${method} ${url} answered ${answer.status}: ${answer.body}`);
  }
  return JSON.parse(answer.body) as T;
}
