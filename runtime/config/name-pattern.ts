/** The shapes of names in a configuration: daemons and profiles, resources. */

/**
 * What a daemon or profile name looks like: a letter or `_`, then letters, digits, `_`, `.`, `-`.
 *
 * @example
 * NAME_PATTERN.test("AUTO_SYNC"); // true
 * NAME_PATTERN.test("2fast"); // false
 */
export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** A resource's name: it becomes `WARDEN_RESOURCE_<NAME>` (upper-cased, `-` → `_`). */
export const RESOURCE_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;
