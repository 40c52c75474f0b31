/**
 * SVG rendered in-process from DOT by Graphviz compiled to WebAssembly (@viz-js/viz): no system
 * Graphviz, no browser (SPEC §10). The module (about 1.2 MB of JavaScript with its WebAssembly inside) is loaded on the first
 * SVG asked for, never by the CLI's start-up path, and its instance is kept for the next ones.
 */
import type { Viz } from "@viz-js/viz";

let viz: Promise<Viz> | undefined;

/**
 * The SVG document Graphviz's `dot` layout makes of `dot`. Throws, with Graphviz's message, when
 * the DOT does not parse — so rendering is also how the tests check that Graphviz accepts it.
 *
 * @example
 * const svg = await renderSvg('digraph { a -> b }'); // "<?xml version=\"1.0\" …<svg …"
 */
export async function renderSvg(dot: string): Promise<string> {
  viz ??= import("@viz-js/viz").then((module) => module.instance());
  const instance = await viz.catch((error: unknown) => {
    viz = undefined; // a failed load is tried again next time
    throw error;
  });
  return instance.renderString(dot, { format: "svg", engine: "dot" });
}
