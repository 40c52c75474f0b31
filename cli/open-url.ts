/**
 * Opening a URL in the user's browser for `warden inspect`, only on a desktop: macOS, or Linux
 * and the BSDs with a graphical session (`DISPLAY` or `WAYLAND_DISPLAY`). Never fails: a
 * machine without a browser still has the printed URL.
 */

/**
 * The command that opens a URL on this desktop, or undefined when there is no desktop.
 *
 * @example
 * browserCommand({ DISPLAY: ":0" }, "linux"); // "xdg-open"
 * browserCommand({}, "linux"); // undefined: a server or an SSH session
 */
export function browserCommand(
  env: Readonly<Record<string, string | undefined>>,
  platform: string,
): string | undefined {
  if (platform === "darwin") return "open";
  if (platform === "win32") return undefined;
  const desktop = (env.DISPLAY ?? "") !== "" || (env.WAYLAND_DISPLAY ?? "") !== "";
  return desktop ? "xdg-open" : undefined;
}

/**
 * Asks the desktop to open `url` in the browser, detached from this process; the command that
 * was asked, or undefined when there is no desktop or it could not be started.
 *
 * @example
 * const opener = openInBrowser("http://127.0.0.1:7070/inspector/login?token=…");
 */
export function openInBrowser(
  url: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: string = process.platform,
): string | undefined {
  const command = browserCommand(env, platform);
  if (command === undefined) return undefined;
  try {
    // Loaded here: no other command needs child processes.
    const { spawn } = process.getBuiltinModule("node:child_process");
    const child = spawn(command, [url], { detached: true, stdio: "ignore" });
    child.on("error", () => {}); // no such program: the URL is printed anyway
    child.unref();
    return command;
  } catch {
    return undefined;
  }
}
