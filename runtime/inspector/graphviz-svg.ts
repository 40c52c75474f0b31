/**
 * DOT to SVG in this process, with Graphviz compiled to WebAssembly (`@viz-js/viz`): no system
 * Graphviz, no browser, nothing fetched. The module is loaded on the first drawing only, so a
 * manager whose inspector nobody opens never pays for it.
 */
import type { Viz } from "@viz-js/viz";

let viz: Promise<Viz> | undefined;

/**
 * The `<svg>` element Graphviz draws for `dot`, without the XML prolog, doctype and comments
 * (the page inserts it into its own document).
 *
 * @example
 * const svg = await svgOf('digraph { a -> b }'); // "<svg width=… viewBox=…>…</svg>"
 */
export async function svgOf(dot: string): Promise<string> {
  viz ??= import("@viz-js/viz").then(({ instance }) => instance());
  const instance = await viz.catch((error: unknown) => {
    viz = undefined; // a failed load is tried again next time
    throw error;
  });
  const result = instance.render(dot, { format: "svg" });
  if (result.status !== "success") {
    const errors = result.errors.map((error) => error.message).join("; ");
    throw new Error(`Graphviz could not draw the graph: ${errors}`);
  }
  const start = result.output.indexOf("<svg");
  return result.output.slice(start).replace(/<!--[\s\S]*?-->\n?/g, "");
}
