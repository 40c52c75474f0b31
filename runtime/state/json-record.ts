/**
 * The object a small state file holds (`manager.json`, `warden.lock`), or undefined when the
 * text is missing, torn, hand-edited into something else, or not an object: such a file names
 * nobody, and readers treat it as absent.
 *
 * @example
 * jsonRecord('{"pid": 42}'); // { pid: 42 }
 * jsonRecord("{\"pid\": 4");  // undefined
 */
export function jsonRecord(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Torn or foreign: no record.
    return undefined;
  }
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
