// `npm start`: builds when the sources are newer than the build, then serves it
// in this same process (one process fewer: it becomes the server's primary).
// `npm run dev`: the Remix dev server (live reload) around the same server.
import { spawnSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const root = path.resolve(import.meta.dirname, "..");
const dev = process.argv.includes("--dev");
// Neither command takes arguments (settings come from the environment): a stray one is a mistake, said in one line.
const stray = process.argv.slice(2).find((arg) => arg !== "--dev");
if (stray !== undefined) {
  console.error(`Unexpected argument "${stray}": ${dev ? "npm run dev" : "npm start"} takes none; settings come from environment variables (see README).`);
  process.exit(2);
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath ?? entry.path, entry.name);
    newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function buildIsStale() {
  const outputs = ["build/index.js", "build/server.js"].map((f) => path.join(root, f));
  if (!outputs.every((f) => fs.existsSync(f))) return true;
  const built = Math.min(...outputs.map((f) => fs.statSync(f).mtimeMs));
  const inputs = ["app", "db", "server"].map((d) => newestMtime(path.join(root, d)));
  const files = ["package.json", "remix.config.js"].map((f) => fs.statSync(path.join(root, f)).mtimeMs);
  return Math.max(...inputs, ...files) > built;
}

function run(command, args, env = process.env) {
  const child = spawn(command, args, { cwd: root, stdio: "inherit", env });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (dev) {
  const env = { ...process.env, NODE_ENV: "development", WEB_CONCURRENCY: "1" };
  // A bad setting or a taken port: one line and a non-zero exit, before `remix dev` (which would keep running).
  const preflight = spawnSync("npx", ["tsx", "scripts/dev-preflight.ts"], { cwd: root, stdio: "inherit", env });
  if (preflight.status !== 0) process.exit(preflight.status ?? 1);
  run("npx", ["remix", "dev", "--manual", "-c", "tsx server/index.ts --dev"], env);
} else {
  if (buildIsStale()) {
    console.log("Building the app…");
    const result = spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
  await import(pathToFileURL(path.join(root, "build/server.js")).href);
}
