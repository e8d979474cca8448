import fs from "node:fs";
import path from "node:path";

/** Every source module under `dir` (app/ by default), relative to the project root: TypeScript, and the .mjs/.js a worker thread runs. */
export function appFiles(dir = "app"): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? appFiles(file) : /\.(tsx?|mjs|js)$/.test(entry.name) ? [file] : [];
  });
}
