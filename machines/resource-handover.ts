/**
 * Who gets resource units when a daemon's state changes (SPEC §6a), decided by the root supervisor
 * (machines/supervisor.ts) from its two books: an instance that is gone (STOPPED, FAILED) frees
 * its units, and so does a PENDING daemon whose dependency was just lost (it holds no instance and
 * asks again once the dependency is back). Each release may hand units to those waiting, in
 * order. Within one transition a unit handed to a waiter can be taken back at once, when that
 * waiter's dependency was lost too: it is told only if it still holds its units at the end.
 */
import type { LifecycleState } from "./lifecycle-states.ts";
import type { ResourceBook } from "./resource-book.ts";
import type { Directive } from "./supervision-book.ts";

/**
 * Releases what `name` entering `state` frees, and what the `directives` of that transition take
 * from PENDING daemons; returns the daemons to tell RESOURCES_GRANTED, each once, in the order
 * their units were handed to them.
 *
 * @example
 * handOver(resources, (daemon) => book.stateOf(daemon), "db", "STOPPED", directives); // ["trainer"]
 */
export function handOver(
  resources: ResourceBook,
  stateOf: (daemon: string) => LifecycleState | undefined,
  name: string,
  state: LifecycleState,
  directives: readonly Directive[],
): string[] {
  const granted: string[] = [];
  const release = (holder: string) => {
    for (const grant of resources.release(holder)) granted.push(grant.holder);
  };
  if (state === "STOPPED" || state === "FAILED") release(name);
  for (const directive of directives) {
    if (directive.type === "DEPENDENCY_LOST" && stateOf(directive.to) === "PENDING") {
      release(directive.to);
    }
  }
  return [...new Set(granted)].filter((holder) => resources.holds(holder));
}
