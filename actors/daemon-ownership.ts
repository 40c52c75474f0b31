import { AsyncLocalStorage } from "node:async_hooks";

/** Which daemon instance a piece of running code belongs to. */
export interface Owner {
  daemon: string;
  /** A crash report from a stale instance must not crash the one that replaced it. */
  instance: number;
  crash(error: unknown): void;
}

const storage = new AsyncLocalStorage<Owner>();

/**
 * Runs `fn` as code of `owner`: timers, promises and callbacks it creates stay attributed to the
 * daemon, so an error that escapes them can be charged to that daemon alone.
 *
 * @example
 * runAs(owner, () => daemon.start(ctx));
 */
export function runAs<T>(owner: Owner, fn: () => T): T {
  return storage.run(owner, fn);
}

/** The daemon instance whose code is running now, if any. */
export function currentOwner(): Owner | undefined {
  return storage.getStore();
}
