import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

/**
 * The smoke on PostgreSQL: the same build, browser and projects (JavaScript on
 * and off) as playwright.config.ts, on a throw-away PostgreSQL server that
 * e2e/start-server.mjs starts (E2E_DATABASE=postgres) and removes.
 *   npx playwright test -c playwright.postgres.config.ts
 */
export default defineConfig({
  ...base,
  testIgnore: undefined,
  testMatch: "postgres-smoke.spec.ts",
  reporter: [["list"], ["json", { outputFile: "test-results/e2e-postgres.json" }]],
  webServer: {
    ...(base.webServer as NonNullable<Exclude<typeof base.webServer, unknown[]>>),
    command: "E2E_DATABASE=postgres node e2e/start-server.mjs",
  },
});
