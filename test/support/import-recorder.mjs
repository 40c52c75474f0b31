// Loaded with `node --import` by tests: reports on stderr every package a program imports from
// node_modules, once each, as `imported-package <name>`, and at exit every one of Node's own
// modules it loaded, as `loaded-builtin <name>`, so a test can check what a command loads.
import { register } from "node:module";

register(
  "data:text/javascript," +
    encodeURIComponent(`
      const seen = new Set();
      export async function resolve(specifier, context, next) {
        const resolved = await next(specifier, context);
        const match = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(resolved.url);
        if (match && !seen.has(match[1])) {
          seen.add(match[1]);
          process.stderr.write("imported-package " + match[1] + "\\n");
        }
        return resolved;
      }`),
);

process.on("exit", () => {
  const builtins = process.moduleLoadList
    .filter((entry) => entry.startsWith("NativeModule ") && !entry.includes("internal/"))
    .map((entry) => entry.slice("NativeModule ".length));
  process.stderr.write(builtins.map((name) => `loaded-builtin ${name}\n`).join(""));
});
