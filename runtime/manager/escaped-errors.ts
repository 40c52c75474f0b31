/**
 * Errors that escape daemon code — an exception thrown from a timer, a promise nobody awaited —
 * are charged to the daemon that ran the code, as a crash (actors/daemon-ownership.ts knows who
 * that was through AsyncLocalStorage). Those that belong to no daemon go to `unhandled`.
 */
import { config as rxjsConfig } from "rxjs";
import { currentOwner } from "../../actors/daemon-ownership.ts";
import { messageOf } from "../../machines/errors.ts";
import type { Logger } from "../logger.ts";

/**
 * Installs the process-wide handlers; returns what uninstalls them.
 *
 * @example
 * const release = captureEscapedErrors(logger, (error) => logger.fatal({ err: error }, "bug"));
 */
export function captureEscapedErrors(
  logger: Logger,
  unhandled: (error: unknown) => void,
): () => void {
  const onError = (error: unknown) => {
    const owner = currentOwner();
    if (owner) {
      logger.error({ daemon: owner.daemon, err: messageOf(error) }, "daemon error escaped");
      owner.crash(error);
    } else {
      unhandled(error);
    }
  };
  process.on("uncaughtException", onError);
  process.on("unhandledRejection", onError);
  // RxJS rethrows an observer's error from a timer created inside the publisher's context; left
  // alone, a throwing `events$` observer would be charged to whichever daemon published.
  const previousRxjsHandler = rxjsConfig.onUnhandledError;
  rxjsConfig.onUnhandledError = (error) => unhandled(error);
  return () => {
    rxjsConfig.onUnhandledError = previousRxjsHandler;
    process.off("uncaughtException", onError);
    process.off("unhandledRejection", onError);
  };
}
