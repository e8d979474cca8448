import { defineConfig, devices } from "@playwright/test";

/**
 * Browser end-to-end tests. Every spec runs twice: with JavaScript (Remix's
 * client-side navigation and fetch submissions) and without (plain HTML forms).
 * The server is the production build on a throw-away database (e2e/start-server.mjs).
 */

const PORT = Number(process.env.E2E_PORT ?? 3210);
const baseURL = `http://127.0.0.1:${PORT}`;

const launchOptions = {
  executablePath: "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
  ],
};

/**
 * Desktop Chrome's viewport and scale, with the browser's own user agent.
 * Playwright's preset names another Chrome ("Chrome/159 on Windows"), and
 * Debian's Chromium sent the odd request with its real one: session protection
 * rightly saw the client change, the session stopped being fresh, and a test
 * that then opened a page needing a fresh login (two-factor setup) failed now
 * and then. One user agent for every request of a test.
 */
const desktopChrome = { ...devices["Desktop Chrome"], userAgent: undefined };

export default defineConfig({
  testDir: "e2e",
  // The PostgreSQL smoke has its own server (playwright.postgres.config.ts).
  testIgnore: "**/postgres-smoke.spec.ts",
  fullyParallel: true,
  // Sized to the work on a 2-core machine shared by the server, two test
  // workers and Chromium, whose speed varies 2-3x from day to day: the longest
  // flows (a dozen steps with registration and a second device) take up to
  // ~35 s here on a quiet day, most take 3-15 s; multi-page walks are split
  // into one page per test rather than given more time.
  timeout: 120_000,
  expect: { timeout: 15_000 },
  workers: 2,
  retries: 0,
  forbidOnly: true,
  reporter: [["list"], ["json", { outputFile: "test-results/e2e.json" }]],
  use: {
    baseURL,
    launchOptions,
    trace: "retain-on-failure",
  },
  projects: [
    {
      name: "js",
      use: { ...desktopChrome, browserName: "chromium", baseURL, launchOptions, javaScriptEnabled: true },
    },
    {
      name: "no-js",
      use: { ...desktopChrome, browserName: "chromium", baseURL, launchOptions, javaScriptEnabled: false },
    },
  ],
  webServer: {
    command: "node e2e/start-server.mjs",
    url: `${baseURL}/`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
    // Let the server drain and close the database instead of being killed outright.
    gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
  },
});
