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

export default defineConfig({
  testDir: "e2e",
  fullyParallel: true,
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
      use: { ...devices["Desktop Chrome"], browserName: "chromium", baseURL, launchOptions, javaScriptEnabled: true },
    },
    {
      name: "no-js",
      use: { ...devices["Desktop Chrome"], browserName: "chromium", baseURL, launchOptions, javaScriptEnabled: false },
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
