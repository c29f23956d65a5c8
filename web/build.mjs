// Bundles the explorer into dist/: index.html, app.js, app.css (minified).
// Run through `npm run build`, which type-checks first.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "dist");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const common = { bundle: true, minify: true, logLevel: "warning", legalComments: "none" };
await build({
  ...common,
  entryPoints: [join(here, "src/main.ts")],
  outfile: join(out, "app.js"),
  format: "iife",
  target: ["es2020"],
  sourcemap: false,
});
await build({
  ...common,
  entryPoints: [join(here, "src/app.css")],
  outfile: join(out, "app.css"),
});
copyFileSync(join(here, "index.html"), join(out, "index.html"));
