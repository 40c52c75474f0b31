// The second half of `npm run build` (docs/decisions/0008-bundled-cli.md): bundles the CLI's
// start-up path — cli/main.ts and everything it imports statically, commander included — into
// one file, dist/cli/warden.js, so that a command costs Node one module to load instead of ~60.
// Every dynamic `import()` stays outside the bundle and loads tsc's output in dist/ (the same
// modules `import "warden"` gives a user's configuration), as do the runtime's libraries.
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outfile = resolve(root, "dist/cli/warden.js");
const { dependencies } = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8"));
/** Bundled: the argument parser every command needs. Loaded by the runtime: all the others. */
const BUNDLED = new Set(["commander"]);

/** `require(id)` for Node's own modules, loading each when a property of it is first read. */
const LAZY_REQUIRE = [
  "const require = (id) =>",
  "  new Proxy({}, { get: (_, key) => process.getBuiltinModule(id)[key] });",
].join("\n");

/** A dynamic import of a source file, pointed at its compiled twin in dist/ (relative to the bundle). */
const lazyModulesFromDist = {
  name: "lazy-modules-from-dist",
  setup(builder) {
    builder.onResolve({ filter: /^\./ }, (args) => {
      if (args.kind !== "dynamic-import") return undefined;
      const source = resolve(args.resolveDir, args.path);
      const compiled = resolve(root, "dist", relative(root, source)).replace(/\.ts$/, ".js");
      let path = relative(dirname(outfile), compiled);
      if (!path.startsWith(".")) path = `./${path}`;
      return { path, external: true };
    });
  },
};

await build({
  entryPoints: [resolve(root, "cli/main.ts")],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20.19",
  external: Object.keys(dependencies).filter((name) => !BUNDLED.has(name)),
  plugins: [lazyModulesFromDist],
  // commander is CommonJS and require()s Node's modules, child_process among them for a feature
  // warden does not use (executable subcommands). Each require() gets the module on first use.
  banner: { js: LAZY_REQUIRE },
  legalComments: "none",
  logLevel: "warning",
});
