// Writes docs/DAEMON_INDEX.md from the built-in "ringrift" catalog (machines/catalog/) through
// daemonIndexDoc() in runtime/catalog/daemon-index-doc.ts. Run it after changing the catalog:
//
//   npm run docs:index
//
// test/runtime/catalog/daemon-index-doc.test.ts fails while the committed file differs from what
// it writes.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CATALOGS } from "../machines/catalog/catalog.ts";
import { DAEMON_INDEX_DOC_FILE, daemonIndexDoc } from "../runtime/catalog/daemon-index-doc.ts";
import { writeIfChanged } from "./write-if-changed.ts";

const file = join(fileURLToPath(new URL("..", import.meta.url)), DAEMON_INDEX_DOC_FILE);
const text = daemonIndexDoc(CATALOGS.ringrift);
writeIfChanged(file, text);
