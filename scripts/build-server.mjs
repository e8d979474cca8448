// Bundles server/index.ts (and the app modules it uses) into build/server.js.
// Dependencies stay in node_modules; the Remix build is imported at run time.
import { build } from "esbuild";

await build({
  entryPoints: ["server/index.ts"],
  outfile: "build/server.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
});
