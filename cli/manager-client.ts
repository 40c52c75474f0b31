import { request as httpRequest, type ClientRequest, type IncomingMessage } from "node:http";
import type { Command } from "commander";
import type { DaemonStatus } from "../runtime/manager/daemon-manager.ts";
import { messageOf } from "../machines/errors.ts";
import {
  answerFailure,
  networkFailure,
  protocolFailure,
  timeoutFailure,
} from "./control-api-failure.ts";
import type { ManagerTarget } from "./locate-manager.ts";
import { SseParser, type SseEvent } from "./sse-parser.ts";

/** How long a request may take when the caller does not say: the manager answers in ms. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * An event stream that receives nothing for this long is dead: the manager sends a keep-alive
 * comment every 15 s (docs/control-api.md).
 */
export const EVENT_STREAM_SILENCE_MS = 60_000;

/** The answer of `GET /v1/status` (docs/control-api.md), which `warden status --json` prints. */
export interface ManagerStatus {
  manager: {
    pid: number;
    uptimeSeconds: number;
    stateDir: string;
    config?: string;
    /** Problems of the manager itself (e.g. "degraded: events are not journaled (…)"). */
    problems?: string[];
  };
  daemons: DaemonStatus[];
}

/**
 * Talks to a running manager's control API (docs/control-api.md): JSON requests with its bearer
 * token, each bounded by a timeout, and the `/v1/events` Server-Sent Events stream. Every
 * failure is a WardenError with the CLI's exit code (cli/control-api-failure.ts): the API's
 * error answers keep their message, a manager that does not listen is `WARDEN_ERR_NOT_RUNNING`
 * (3), a refused token says which token.
 *
 * @example
 * const client = new ManagerClient(await locateManager({ config: "warden.config.ts" }, cwd));
 * const { daemons } = await client.get<ManagerStatus>("/v1/status");
 */
export class ManagerClient {
  constructor(readonly target: ManagerTarget) {}

  /** `GET path`: the parsed JSON answer. */
  get<T>(path: string, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): Promise<T> {
    return this.json<T>("GET", path, undefined, timeoutMs);
  }

  /** `POST path` with `body` as JSON (none when undefined): the parsed JSON answer. */
  post<T>(path: string, body?: unknown, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): Promise<T> {
    return this.json<T>("POST", path, body, timeoutMs);
  }

  /**
   * Reads the Server-Sent Events of `GET path` (e.g. `/v1/events?follow=true`), calling `onEvent`
   * for each, until `signal` aborts (resolves) or the stream ends or goes silent for
   * {@link EVENT_STREAM_SILENCE_MS} (rejects). `onOpen` runs once the manager has accepted.
   */
  follow(
    path: string,
    onEvent: (event: SseEvent) => void,
    options: { signal: AbortSignal; onOpen?: () => void },
  ): Promise<void> {
    const { target } = this;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (error?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal.removeEventListener("abort", onAbort);
        request.destroy();
        if (error === undefined) resolve();
        else reject(error);
      };
      const onAbort = () => finish();
      const failed = (error: unknown) => finish(networkFailure(target, error, "GET", path));
      const ended = () =>
        finish(
          protocolFailure(`the manager at ${target.url} closed the event stream (did it stop?)`),
        );
      const silent = () =>
        finish(
          protocolFailure(
            `the manager at ${target.url} sent nothing on its event stream for ${EVENT_STREAM_SILENCE_MS / 1000} s`,
          ),
        );
      let timer = setTimeout(
        () => finish(timeoutFailure(target, "GET", path, DEFAULT_REQUEST_TIMEOUT_MS)),
        DEFAULT_REQUEST_TIMEOUT_MS,
      );
      const request = this.send("GET", path, undefined, { accept: "text/event-stream" });
      request.on("error", failed);
      request.on("response", (response) => {
        clearTimeout(timer);
        const status = response.statusCode ?? 0;
        if (status !== 200) {
          readBody(response).then(
            (text) => finish(answerFailure(target, status, text, "GET", path)),
            failed,
          );
          return;
        }
        timer = setTimeout(silent, EVENT_STREAM_SILENCE_MS);
        const parser = new SseParser(onEvent);
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          timer.refresh();
          parser.push(chunk);
        });
        response.on("error", failed);
        response.on("end", ended);
        // A connection cut without an end: the same, once whatever error it carried is in.
        response.on("close", () => setImmediate(ended));
        options.onOpen?.();
      });
      if (options.signal.aborted) finish();
      else options.signal.addEventListener("abort", onAbort);
    });
  }

  private json<T>(method: string, path: string, body: unknown, timeoutMs: number): Promise<T> {
    const { target } = this;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        request.destroy();
        reject(timeoutFailure(target, method, path, timeoutMs));
      }, timeoutMs);
      const failed = (error: unknown) => {
        clearTimeout(timer);
        reject(networkFailure(target, error, method, path));
      };
      const request = this.send(method, path, body, { accept: "application/json" });
      request.on("error", failed);
      request.on("response", (response) => {
        readBody(response).then((text) => {
          clearTimeout(timer);
          const status = response.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            reject(answerFailure(target, status, text, method, path));
            return;
          }
          try {
            resolve(JSON.parse(text) as T);
          } catch (error) {
            const what = `the manager at ${target.url} answered ${method} ${path} with something that is not JSON`;
            reject(protocolFailure(`${what}: ${messageOf(error)}`, error));
          }
        }, failed);
      });
    });
  }

  private send(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
  ): ClientRequest {
    // Relative to the base, so that a URL with a path prefix (behind a proxy) keeps it.
    const url = new URL(path.replace(/^\/+/, ""), `${this.target.url}/`);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const all: Record<string, string> = { ...headers };
    if (this.target.token !== undefined) all.authorization = `Bearer ${this.target.token}`;
    if (payload !== undefined) all["content-type"] = "application/json";
    // agent: false: no kept-alive socket holds the command open once it is done. TLS is loaded
    // only for an https:// manager: every command would pay for it at start-up otherwise.
    const request = (
      url.protocol === "https:" ? process.getBuiltinModule("node:https").request : httpRequest
    )(url, {
      method,
      headers: all,
      agent: false,
    });
    request.end(payload);
    return request;
  }
}

/**
 * Adds the options that say which manager to talk to: `--config`, `--url`, `--token`.
 *
 * @example
 * addConnectionOptions(program.command("status")).action(…);
 */
export function addConnectionOptions(command: Command): Command {
  return command
    .option(
      "-c, --config <file>",
      "configuration file whose manager to talk to (default: warden.config.{ts,js,mjs,json,yaml} here)",
    )
    .option("--url <url>", "the manager's control URL, instead of its configuration's manager.json")
    .option("--token <token>", "the bearer token, instead of the configuration's <stateDir>/token");
}

function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    response.setEncoding("utf8");
    response.on("data", (chunk: string) => (text += chunk));
    response.on("end", () => resolve(text));
    response.on("error", reject);
  });
}
