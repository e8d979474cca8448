import path from "node:path";
import { defineConfig } from "vitest/config";

/**
 * Two projects, one run: `sqlite` runs every suite on SQLite files; `postgres`
 * runs the suites that exercise the database through the app's modules (unit),
 * the schema check and the multi-instance tests on a throw-away PostgreSQL
 * server (tests/postgres-global-setup.ts). The HTTP suites that arrange state
 * with raw SQLite statements (`server.sql`) run on SQLite only.
 * One file on one database: `npx vitest run --project postgres tests/unit/x.test.ts`.
 */
const POSTGRES_SUITES = [
  "tests/unit/**/*.test.ts",
  "tests/http/multi-instance.test.ts",
  "tests/http/database-commands.test.ts",
  "tests/http/passkeys.test.ts",
];
const SQLITE_ONLY = ["tests/unit/sqlite-transactions.test.ts"];
// Sized for a busy 2-core machine: HTTP tests start servers and spawn commands; the slowest
// take ~20 s when the machine is loaded (and these machines have 2-3x slower days).
const TIMEOUTS = { testTimeout: 60_000, hookTimeout: 60_000 };

export default defineConfig({
  resolve: { alias: { "~": path.resolve(import.meta.dirname, "app") } },
  test: {
    reporters: ["default", ["json", { outputFile: "test-results/vitest.json" }]],
    projects: [
      {
        extends: true,
        test: {
          name: "sqlite",
          include: ["tests/**/*.test.ts"],
          setupFiles: ["tests/setup.ts"],
          pool: "forks",
          ...TIMEOUTS,
          env: { TEST_DATABASE: "sqlite" },
        },
      },
      {
        extends: true,
        test: {
          name: "postgres",
          include: POSTGRES_SUITES,
          exclude: SQLITE_ONLY,
          setupFiles: ["tests/setup.ts"],
          globalSetup: ["tests/postgres-global-setup.ts"],
          pool: "forks",
          ...TIMEOUTS,
          env: { TEST_DATABASE: "postgres" },
        },
      },
    ],
  },
});
