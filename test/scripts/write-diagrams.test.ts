import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DIAGRAMS_DIR,
  diagramFilePath,
  diagramFileText,
  diagramFiles,
  repoRoot,
  withReadmeChart,
} from "../../scripts/diagram-files.ts";

const RUN = "run `npm run docs:diagrams`";

describe("docs/diagrams/", () => {
  it("holds what scripts/write-diagrams.ts generates from the machines and the catalog", async () => {
    const drifted: string[] = [];
    for (const file of diagramFiles()) {
      const path = diagramFilePath(file);
      expect(existsSync(path), `${file.path} is missing: ${RUN}`).toBe(true);
      if (readFileSync(path, "utf8") !== (await diagramFileText(file))) drifted.push(file.path);
    }
    expect(drifted, `these differ from the code: ${RUN}`).toEqual([]);
  });

  it("holds nothing else (a diagram no longer generated is removed)", () => {
    const expected = diagramFiles().map((file) => file.path.slice(DIAGRAMS_DIR.length + 1));
    expect(readdirSync(join(repoRoot, DIAGRAMS_DIR)).sort()).toEqual(expected.sort());
  });

  it("has the lifecycle chart and each catalog profile's graph as Mermaid and SVG", () => {
    const paths = diagramFiles().map((file) => file.path);
    for (const name of ["lifecycle", "supervisor", "deps-coordinator", "deps-production"]) {
      expect(paths).toContain(`${DIAGRAMS_DIR}/${name}.mmd`);
      expect(paths).toContain(`${DIAGRAMS_DIR}/${name}.svg`);
    }
  });
});

describe("README.md", () => {
  it("shows the generated lifecycle chart", async () => {
    const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
    const lifecycle = diagramFiles().find((file) => file.path.endsWith("/lifecycle.mmd"))!;
    const fresh = withReadmeChart(readme, await diagramFileText(lifecycle));
    expect(readme === fresh, `README.md's lifecycle chart differs from the machine: ${RUN}`).toBe(
      true,
    );
  });
});
