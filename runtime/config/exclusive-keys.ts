/**
 * Types for "exactly one of these keys" rules, which a zod refinement checks at run time and its
 * inferred object type (every key optional) cannot say: runtime/config/schema.ts narrows its
 * output to them once the refinement has passed.
 */

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/**
 * Exactly one of T's keys: one alternative per key, holding that key alone, set.
 *
 * @example
 * type Check = OneKeyOf<{ tcp?: number; http?: string }>; // { tcp: number } | { http: string }
 */
export type OneKeyOf<T> = { [K in keyof T]-?: { [P in K]-?: Exclude<T[P], undefined> } }[keyof T];

/**
 * The kind of F marked by key `Marker` (set): its own keys `Own` as F has them, and the other
 * kinds' keys `Foreign` absent.
 *
 * @example
 * type Module = KindOf<{ module?: string; command?: string; options?: unknown }, "module", "options", "command">;
 * // { module: string; options?: unknown; command?: never }
 */
export type KindOf<
  F,
  Marker extends keyof F,
  Own extends keyof F,
  Foreign extends PropertyKey,
> = Simplify<
  Omit<F, Marker | Own | Foreign> &
    Required<Pick<F, Marker>> &
    Pick<F, Own> & { [P in Foreign]?: never }
>;
