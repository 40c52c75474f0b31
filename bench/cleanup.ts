/** Stopping what a benchmark started, whatever happens. */

/**
 * Runs `body`, then `close`, even when `body` fails. On SIGINT or SIGTERM meanwhile, `announce`
 * is told, `close` runs first and the process exits (130 or 143); a second signal ends it at
 * once. `close` runs once however often it is asked for.
 */
export async function closingOnSignal<T>(
  close: () => Promise<void>,
  announce: (signal: NodeJS.Signals) => void,
  body: () => Promise<T>,
): Promise<T> {
  let closing: Promise<void> | undefined;
  const closeOnce = () => (closing ??= close());
  const onSignal = (signal: NodeJS.Signals) => {
    announce(signal);
    void closeOnce().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await body();
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await closeOnce();
  }
}
