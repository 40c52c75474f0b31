/**
 * Text that daemons write (output lines, log lines, `STATUS=` text, error messages) may hold
 * control characters: ESC starts sequences that recolour, clear or retitle the terminal (OSC),
 * rewrite the clipboard or move the cursor; NUL, CR and backspace hide or overwrite what came
 * before. Before such text reaches a terminal, every control character but TAB is shown as a
 * visible `\xNN` escape instead.
 */

// C0 controls except TAB (U+0009), DEL, and the C1 controls (U+0080–U+009F; U+009B is a CSI).
// eslint-disable-next-line no-control-regex -- matching control characters is the point.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

/**
 * `text` with each control character other than TAB written as `\xNN` (ESC as `\x1b`), so that
 * it is shown, never obeyed. Printable text, TAB and backslashes are left as they are.
 *
 * @example
 * terminalSafe("\x1b[31mred\x1b[0m"); // "\\x1b[31mred\\x1b[0m"
 * terminalSafe("a\tb"); // "a\tb"
 */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL, visible);
}

function visible(char: string): string {
  return `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`;
}
