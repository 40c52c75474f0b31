import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CATALOGS } from "../machines/catalog/catalog.ts";
import { dependencyDiagram } from "../runtime/diagrams/dependency-diagram.ts";
import {
  chartOf,
  diagramText,
  type Diagram,
  type DiagramFormat,
} from "../runtime/diagrams/diagram.ts";

/** This checkout's root. */
export const repoRoot = fileURLToPath(new URL("..", import.meta.url));

/** Where the generated diagrams are committed, relative to the root. */
export const DIAGRAMS_DIR = "docs/diagrams";

/** The file extension of each format. */
const EXTENSIONS: Record<DiagramFormat, string> = { mermaid: "mmd", dot: "dot", svg: "svg" };

/** One generated file of docs/diagrams/. */
export interface DiagramFile {
  /** Relative to the root: "docs/diagrams/lifecycle.mmd". */
  path: string;
  diagram: Diagram;
  format: DiagramFormat;
}

/**
 * Every file of docs/diagrams/: the lifecycle and supervisor charts, and the dependency graph
 * of each profile of the ringrift catalog (`deps-<profile>`), each as Mermaid, DOT and SVG.
 *
 * @example
 * diagramFiles().map((file) => file.path); // ["docs/diagrams/lifecycle.mmd", …]
 */
export function diagramFiles(): DiagramFile[] {
  const diagrams: [string, Diagram][] = [
    ["lifecycle", chartOf("lifecycle")],
    ["supervisor", chartOf("supervisor")],
    ...CATALOGS.ringrift.profiles.map((profile): [string, Diagram] => [
      `deps-${profile.name}`,
      { kind: "deps", graph: dependencyDiagram(undefined, profile.name) },
    ]),
  ];
  return diagrams.flatMap(([name, diagram]) =>
    (["mermaid", "dot", "svg"] as const).map((format) => ({
      path: `${DIAGRAMS_DIR}/${name}.${EXTENSIONS[format]}`,
      diagram,
      format,
    })),
  );
}

/**
 * The text `file` must hold: the diagram as `warden diagram` prints it with `--out`.
 *
 * @example
 * await diagramFileText(diagramFiles()[0]!); // "stateDiagram-v2\n…"
 */
export function diagramFileText(file: DiagramFile): Promise<string> {
  return diagramText(file.diagram, file.format);
}

/** The absolute path of `file` in this checkout. */
export function diagramFilePath(file: DiagramFile): string {
  return join(repoRoot, file.path);
}

/** The README section that shows the lifecycle chart, between these two lines. */
export const README_CHART_START =
  "<!-- generated: docs/diagrams/lifecycle.mmd (npm run docs:diagrams) -->";
const FENCE = "```";

/**
 * `readme` with the Mermaid block after `README_CHART_START` replaced by `mermaid` (the lifecycle
 * chart), so that the chart GitHub draws in the README is the generated one.
 *
 * @example
 * withReadmeChart(readFileSync("README.md", "utf8"), lifecycleMermaid);
 */
export function withReadmeChart(readme: string, mermaid: string): string {
  const start = readme.indexOf(README_CHART_START);
  if (start < 0) throw new Error(`README.md has no line ${README_CHART_START}`);
  const open = readme.indexOf(`${FENCE}mermaid\n`, start);
  const close = readme.indexOf(`\n${FENCE}`, open);
  if (open < 0 || close < 0)
    throw new Error(`README.md: no ${FENCE}mermaid block after the marker`);
  const body = open + `${FENCE}mermaid\n`.length;
  return `${readme.slice(0, body)}${mermaid.replace(/\n$/, "")}${readme.slice(close)}`;
}
