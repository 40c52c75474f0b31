/**
 * Every error warden raises, each with a stable namespaced `code` and the CLI `exitCode` it maps to.
 * Tests assert on codes, never on message text.
 *
 * @example
 * throw new WardenError("WARDEN_ERR_UNKNOWN_DAEMON", `no daemon named "X"`);
 */
export const ERROR_CODES = {
  /** The configuration file is missing, unreadable or fails the schema. */
  WARDEN_ERR_CONFIG: 2,
  /** A dependency names a daemon that is not registered. */
  WARDEN_ERR_UNKNOWN_DEPENDENCY: 2,
  /** The dependency graph has a cycle; the message names it. */
  WARDEN_ERR_DEPENDENCY_CYCLE: 2,
  /** Two daemons share one name. */
  WARDEN_ERR_DUPLICATE_DAEMON: 2,
  /** A command names a daemon that is not registered. */
  WARDEN_ERR_UNKNOWN_DAEMON: 2,
  /** A command names a profile that is not defined. */
  WARDEN_ERR_UNKNOWN_PROFILE: 2,
  /** Bad command-line usage. */
  WARDEN_ERR_USAGE: 2,
  /** A daemon module could not be loaded or does not export a daemon. */
  WARDEN_ERR_DAEMON_MODULE: 2,
  /** A daemon reached FAILED while the caller waited for it. */
  WARDEN_ERR_DAEMON_FAILED: 1,
  /** A daemon was stopped while the caller waited for it to run. */
  WARDEN_ERR_DAEMON_STOPPED: 1,
  /** `waitFor` ran out of time. */
  WARDEN_ERR_WAIT_TIMEOUT: 1,
  /** A critical daemon failed and the manager shut down. */
  WARDEN_ERR_ESCALATED: 1,
  /** The manager was asked to act after it was shut down for good. */
  WARDEN_ERR_MANAGER_CLOSED: 1,
  /** No manager is running for this state directory. */
  WARDEN_ERR_NOT_RUNNING: 3,
  /** Another manager already runs with this state directory. */
  WARDEN_ERR_ALREADY_RUNNING: 1,
  /** The control API's port cannot be listened on (taken, or not allowed). */
  WARDEN_ERR_CONTROL_PORT: 1,
  /** The control API refused (wrong token) or failed a request: a 5xx, an answer that is not JSON, an event stream that ended. */
  WARDEN_ERR_CONTROL_API: 1,
  /** EVENT_ROUTER is not RUNNING and holds as many events (or bytes) as it may: a publish is refused. */
  WARDEN_ERR_EVENT_ROUTER_FULL: 1,
  /** The event journal (`<stateDir>/journal.db`) cannot be opened, read or written; the message names it. */
  WARDEN_ERR_JOURNAL: 1,
  /** A start refused: a daemon it conflicts with (`conflicts`, SPEC §6a) is running; the message names it. */
  WARDEN_ERR_CONFLICT: 1,
} as const;

export type WardenErrorCode = keyof typeof ERROR_CODES;

/**
 * Marks a WardenError whichever copy of this module made it: the bundled CLI (dist/cli/warden.js)
 * and the compiled modules it loads later (dist/…, shared with a user's `import "warden"`) each
 * have their own class, so `instanceof` alone would miss an error raised by the other.
 */
const WARDEN_ERROR = Symbol.for("warden.error");

/** A failure with a stable code, an exit code for the CLI, and the original cause. */
export class WardenError extends Error {
  readonly code: WardenErrorCode;
  readonly exitCode: number;
  readonly details: readonly string[];

  constructor(
    code: WardenErrorCode,
    message: string,
    options: { cause?: unknown; details?: readonly string[] } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "WardenError";
    this.code = code;
    this.exitCode = ERROR_CODES[code];
    this.details = options.details ?? [];
    Object.defineProperty(this, WARDEN_ERROR, { value: true });
  }
}

/** True when `error` is a WardenError, optionally of the given code. */
export function isWardenError(error: unknown, code?: WardenErrorCode): error is WardenError {
  const marked =
    error instanceof WardenError ||
    (error instanceof Error &&
      (error as unknown as Record<symbol, unknown>)[WARDEN_ERROR] === true);
  return marked && (code === undefined || (error as WardenError).code === code);
}

/**
 * The text of any thrown value, for logs, events and messages: an Error's message, a string as
 * it is, anything else as JSON. warden's one way to turn an unknown error into text.
 *
 * @example
 * messageOf(new Error("boom")); // "boom"
 * messageOf({ code: 7 }); // '{"code":7}'
 */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  try {
    // undefined, functions and symbols have no JSON.
    return JSON.stringify(error) ?? String(error);
  } catch {
    // Unserialisable (cyclic, BigInt) values still need some text.
    return String(error);
  }
}
