import type { Command } from "commander";
import type { CliIO } from "../io.ts";
import { locateManager, type ConnectionOptions } from "../locate-manager.ts";
import { ManagerClient, addConnectionOptions } from "../manager-client.ts";
import { openInBrowser } from "../open-url.ts";

export interface InspectOptions extends ConnectionOptions {
  /** commander's `--no-open`: false when given. */
  open?: boolean;
}

/** What `POST /v1/inspector/login` answers (docs/control-api.md). */
interface InspectorLogin {
  url: string;
  path: string;
  expiresAt: number;
}

/**
 * `warden inspect`: asks the running manager for a one-time login URL of its inspector
 * (docs/inspector.md), prints it on stdout and, on a desktop and unless `open` is false, opens
 * it in the browser. The URL works once, within a minute; it becomes a session cookie.
 *
 * @example
 * await inspect({ config: "warden.config.ts", open: false }, io);
 * // http://127.0.0.1:7070/inspector/login?token=…
 */
export async function inspect(
  options: InspectOptions,
  io: CliIO,
  open: (url: string) => string | undefined = openInBrowser,
): Promise<void> {
  const target = await locateManager(options, io.cwd);
  const login = await new ManagerClient(target).post<InspectorLogin>("/v1/inspector/login");
  // After the URL the CLI reached the manager at: right behind a proxy too.
  const url = `${target.url}${login.path}`;
  io.out(url);
  const seconds = Math.max(1, Math.round((login.expiresAt - Date.now()) / 1000));
  io.err(`warden: this URL logs in to the inspector once, within ${seconds} s`);
  if (options.open === false) return;
  const opener = open(url);
  if (opener !== undefined) io.err(`warden: opening it in your browser (${opener})`);
}

/**
 * Adds `warden inspect [--no-open]` with the connection options to `program`.
 *
 * @example
 * registerInspectCommand(program, io);
 */
export function registerInspectCommand(program: Command, io: CliIO): void {
  addConnectionOptions(
    program
      .command("inspect")
      .description(
        "print a one-time login URL of the running manager's inspector (a live web page) and, on a desktop, open it",
      )
      .option("--no-open", "only print the URL, do not open a browser"),
  ).action(async (options: InspectOptions) => inspect(options, io));
}
