// `npm test`: type check, production build, vitest (unit + HTTP against the
// build; a `sqlite` and a `postgres` project, see vitest.config.ts), Playwright
// (browser flows, JavaScript on and off) and its smoke on PostgreSQL. Runs
// every stage even after a failure, then prints one line: `N passed, N failed`.
import { spawnSync } from "node:child_process";
import fs from "node:fs";

const results = { passed: 0, failed: 0 };
const stages = [];

function run(name, command, args, env = {}) {
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  stages.push(`${name}: exit ${result.status ?? result.signal} in ${seconds}s`);
  return result.status === 0;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

fs.rmSync("test-results", { recursive: true, force: true });
fs.mkdirSync("test-results", { recursive: true });

// The type check and the build count as one test each.
for (const [name, ok] of [
  ["typecheck", run("typecheck", "npx", ["tsc", "--noEmit"])],
  ["build", run("build", "npm", ["run", "build"])],
]) {
  results[ok ? "passed" : "failed"] += 1;
  if (!ok) console.error(`✗ ${name} failed`);
}

const vitestOk = run("vitest", "npx", ["vitest", "run"]);
const vitest = readJson("test-results/vitest.json");
if (vitest) {
  results.passed += vitest.numPassedTests;
  // A file that fails to load has no failed test but fails the run: count it.
  results.failed += vitest.numFailedTests + (!vitestOk && vitest.numFailedTests === 0 ? 1 : 0);
} else {
  results.failed += 1;
}

function countPlaywright(ok, report) {
  const playwright = readJson(report);
  if (playwright?.stats) {
    results.passed += playwright.stats.expected + playwright.stats.flaky;
    results.failed += playwright.stats.unexpected + (!ok && playwright.stats.unexpected === 0 ? 1 : 0);
  } else {
    results.failed += 1;
  }
}

countPlaywright(run("playwright", "npx", ["playwright", "test"]), "test-results/e2e.json");
countPlaywright(
  run("playwright (PostgreSQL)", "npx", ["playwright", "test", "-c", "playwright.postgres.config.ts"]),
  "test-results/e2e-postgres.json",
);

console.log(`\n${stages.join("\n")}`);
console.log(`${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed === 0 ? 0 : 1);
