/**
 * What `warden diagram` prints (SPEC §10): the lifecycle chart, the supervisor chart or a
 * dependency graph, as Mermaid, DOT or SVG. The charts come from the machine definitions
 * (machine-graph.ts), the graph from the configuration or catalog (dependency-diagram.ts); SVG is
 * the DOT text rendered by Graphviz in WebAssembly (render-svg.ts, loaded only for SVG).
 */
import { daemonLifecycleMachine } from "../../machines/daemon-lifecycle.ts";
import { supervisorMachine } from "../../machines/supervisor.ts";
import { chartDot, chartMermaid } from "./chart-formats.ts";
import type { DependencyDiagram } from "./dependency-diagram.ts";
import { depsDot, depsMermaid } from "./deps-formats.ts";
import { machineGraph, type ChartGraph } from "./machine-graph.ts";

/** The kinds of diagram `warden diagram` draws. */
export const DIAGRAM_KINDS = ["lifecycle", "supervisor", "deps"] as const;
export type DiagramKind = (typeof DIAGRAM_KINDS)[number];

/** The formats it writes them in. */
export const DIAGRAM_FORMATS = ["mermaid", "dot", "svg"] as const;
export type DiagramFormat = (typeof DIAGRAM_FORMATS)[number];

/** A diagram to write: one of the two statecharts, or a dependency graph. */
export type Diagram =
  { kind: "chart"; graph: ChartGraph } | { kind: "deps"; graph: DependencyDiagram };

/**
 * The graph of a machine: `lifecycle` is the daemon lifecycle chart, `supervisor` the root
 * supervisor's. Neither needs a configuration.
 *
 * @example
 * chartOf("lifecycle").graph.states.length; // 7
 */
export function chartOf(kind: "lifecycle" | "supervisor"): Diagram & { kind: "chart" } {
  const machine = kind === "lifecycle" ? daemonLifecycleMachine : supervisorMachine;
  return { kind: "chart", graph: machineGraph(machine) };
}

/**
 * The diagram as text in `format`; SVG is rendered from the DOT text.
 *
 * @example
 * await diagramText(chartOf("lifecycle"), "mermaid"); // "stateDiagram-v2\n    PENDING\n…"
 */
export async function diagramText(diagram: Diagram, format: DiagramFormat): Promise<string> {
  if (format === "mermaid") {
    return diagram.kind === "chart" ? chartMermaid(diagram.graph) : depsMermaid(diagram.graph);
  }
  const dot = diagram.kind === "chart" ? chartDot(diagram.graph) : depsDot(diagram.graph);
  if (format === "dot") return dot;
  const { renderSvg } = await import("./render-svg.ts");
  return renderSvg(dot);
}
