/**
 * The cross-field rule of `requires` (SPEC §6a): each entry names a resource of the top-level
 * `resources`, or `gpu` (whose count is detected when it is not given), and asks for no more
 * units than there are. A daemon asking for more could never start; better said before anything
 * starts, with the path, than as a daemon waiting forever.
 */
import { GPU_RESOURCE } from "../../machines/resource-env.ts";
import { suggestion } from "../../machines/closest-name.ts";
import type { ConfigProblem } from "./config-error.ts";

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The problems of every daemon's `requires` in `raw` (a configuration not yet validated).
 *
 * @example
 * resourceProblems({ resources: { gpu: 1 }, daemons: { a: { command: "x", requires: { gpu: 2 } } } });
 * // [{ path: ["daemons", "a", "requires", "gpu"], text: "expected at most 1 (resources.gpu), got 2" }]
 */
export function resourceProblems(raw: unknown): ConfigProblem[] {
  if (!isObject(raw) || !isObject(raw.daemons)) return [];
  const resources = isObject(raw.resources) ? raw.resources : {};
  const names = [...new Set([...Object.keys(resources), GPU_RESOURCE])];
  const problems: ConfigProblem[] = [];
  for (const [daemon, definition] of Object.entries(raw.daemons)) {
    if (!isObject(definition) || !isObject(definition.requires)) continue;
    for (const [name, count] of Object.entries(definition.requires)) {
      const path = ["daemons", daemon, "requires", name];
      const capacity = resources[name];
      if (!Object.hasOwn(resources, name) && name !== GPU_RESOURCE) {
        const hint = suggestion(name, names) || ': not in "resources"';
        problems.push({ path, text: `unknown resource ${JSON.stringify(name)}${hint}` });
      } else if (typeof capacity === "number" && typeof count === "number" && count > capacity) {
        problems.push({
          path,
          text: `expected at most ${capacity} (resources.${name}), got ${count}`,
        });
      }
    }
  }
  return problems;
}
