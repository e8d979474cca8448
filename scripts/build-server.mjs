// Bundles server/index.ts (and the app modules it uses) into build/server.js.
// Dependencies stay in node_modules; the Remix build is imported at run time.
// Code splitting puts what only a serving process needs (server/http.ts:
// Express, Remix, React) in a chunk of its own that the cluster's primary
// never loads.
import fs from "node:fs";
import { build } from "esbuild";

// Chunk names carry a hash: last build's chunks would otherwise pile up beside the new ones.
fs.rmSync("build/server-chunks", { recursive: true, force: true });

await build({
  entryPoints: ["server/index.ts"],
  outdir: "build",
  entryNames: "server",
  chunkNames: "server-chunks/[name]-[hash]",
  splitting: true,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
});
