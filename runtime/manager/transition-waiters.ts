/**
 * How a command waits for daemons to get somewhere: every lifecycle transition goes through one
 * RxJS stream, and a waiter is a subscription to it that settles a promise. `until` resolves
 * once `step` has removed every name from the set (or rejects with the error `step` returns);
 * `waitFor` resolves when one daemon enters a state, or rejects after a timeout on the manager's
 * clock. Waiters see each transition in the order they subscribed.
 */
import { Subject, filter } from "rxjs";
import type { WardenClock } from "../../actors/clock.ts";
import type { LifecycleState } from "../../machines/lifecycle-states.ts";
import type { DaemonTransition } from "../../machines/supervisor-protocol.ts";
import { WardenError } from "../../machines/errors.ts";

export type WaitStep = (transition: DaemonTransition, remaining: Set<string>) => Error | undefined;

export class TransitionWaiters {
  private readonly transitions = new Subject<DaemonTransition>();
  /** Every transition of every daemon, as the supervisor reports it. */
  readonly transitions$ = this.transitions.asObservable();

  constructor(private readonly clock: WardenClock) {}

  /** Tells every waiter about `transition`. */
  next(transition: DaemonTransition): void {
    this.transitions.next(transition);
  }

  /**
   * Resolves when `remaining` is empty, as `step` removes names from it on each transition of
   * one of them; rejects with the error `step` returns.
   *
   * @example
   * await waiters.until(new Set(["db"]), (t, left) => void (t.state === "RUNNING" && left.delete(t.name)));
   */
  until(remaining: Set<string>, step: WaitStep): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (remaining.size === 0) return resolve();
      const subscription = this.transitions$
        .pipe(filter((transition) => remaining.has(transition.name)))
        .subscribe((transition) => {
          const error = step(transition, remaining);
          if (error) {
            subscription.unsubscribe();
            reject(error);
          } else if (remaining.size === 0) {
            subscription.unsubscribe();
            resolve();
          }
        });
    });
  }

  /**
   * Resolves when `name` enters `state`; rejects with WARDEN_ERR_WAIT_TIMEOUT after `timeoutMs`
   * on the manager's clock (`stateNow` says where it is then).
   */
  waitFor(
    name: string,
    state: LifecycleState,
    timeoutMs: number,
    stateNow: () => LifecycleState,
  ): Promise<void> {
    if (stateNow() === state) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const subscription = this.transitions$
        .pipe(filter((transition) => transition.name === name && transition.state === state))
        .subscribe(() => {
          this.clock.clearTimeout(timer);
          subscription.unsubscribe();
          resolve();
        });
      const timer = this.clock.setTimeout(() => {
        subscription.unsubscribe();
        reject(
          new WardenError(
            "WARDEN_ERR_WAIT_TIMEOUT",
            `daemon "${name}" did not reach ${state} within ${timeoutMs} ms (it is ${stateNow()})`,
          ),
        );
      }, timeoutMs);
    });
  }
}
