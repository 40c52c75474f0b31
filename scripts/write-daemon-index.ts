// Writes docs/DAEMON_INDEX.md from the built-in "ringrift" catalog (machines/catalog/) through
// daemonIndexDoc() in runtime/catalog/daemon-index-doc.ts. Run it after changing the catalog:
//
//   npm run docs:index
//
// test/runtime/catalog/daemon-index-doc.test.ts fails while the committed file differs from what
// it writes.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { CATALOGS } from "../machines/catalog/catalog.ts";
import { DAEMON_INDEX_DOC_FILE, daemonIndexDoc } from "../runtime/catalog/daemon-index-doc.ts";

const file = join(fileURLToPath(new URL("..", import.meta.url)), DAEMON_INDEX_DOC_FILE);
const text = daemonIndexDoc(CATALOGS.ringrift);
let before: string | undefined;
try {
  before = readFileSync(file, "utf8");
} catch {
  // No file yet: it is written below.
  before = undefined;
}
const shown = relative(process.cwd(), file) || file;
if (before === text) {
  console.log(`${shown}: up to date`);
} else {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`${shown}: ${before === undefined ? "written" : "updated"}`);
}
