// Writes docs/diagrams/ — the lifecycle and supervisor statecharts and the ringrift catalog's
// profile dependency graphs, as Mermaid, DOT and SVG — from the machine definitions and the
// catalog (scripts/diagram-files.ts), and the lifecycle chart shown in README.md. Run it after
// changing a machine or the catalog:
//
//   npm run docs:diagrams
//
// test/scripts/write-diagrams.test.ts fails while a committed file differs from what it writes.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  diagramFilePath,
  diagramFileText,
  diagramFiles,
  repoRoot,
  withReadmeChart,
} from "./diagram-files.ts";
import { writeIfChanged } from "./write-if-changed.ts";

let lifecycle = "";
for (const file of diagramFiles()) {
  const text = await diagramFileText(file);
  if (file.path.endsWith("/lifecycle.mmd")) lifecycle = text;
  writeIfChanged(diagramFilePath(file), text);
}
const readme = join(repoRoot, "README.md");
writeIfChanged(readme, withReadmeChart(readFileSync(readme, "utf8"), lifecycle));
