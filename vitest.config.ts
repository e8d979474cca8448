import path from "node:path";
import { defineConfig } from "vitest/config";

/**
 * Two projects, one run: `sqlite` runs every suite on SQLite files; `postgres`
 * runs the same suites on a throw-away PostgreSQL server
 * (tests/postgres-global-setup.ts), each test server on its own database
 * (tests/helpers/server.ts): the HTTP suites arrange and check state through
 * `server.db` (Kysely), never through SQLite statements.
 * One file on one database: `npx vitest run --project postgres tests/http/x.test.ts`.
 */
const POSTGRES_HTTP_SUITES = [
  "multi-instance",
  "database-commands",
  "account-links",
  "cli",
  "session-protection",
  "rate-limit",
  "two-factor",
  "security",
  "reauthenticate",
  "logging",
  "devices",
  "auth",
  "api-tokens",
  "password-reset",
  "email-confirmation",
  "account-settings",
  "activity",
  "fuzz",
  "mail-failure",
  "session-rotation",
  "anonymous-pages",
  "startup-errors",
  "admin",
  "oidc",
  "notes",
  "passkeys",
  "session-lifetimes",
  "cluster",
  "encryption-key",
  "i18n",
].map((name) => `tests/http/${name}.test.ts`);
const POSTGRES_SUITES = ["tests/unit/**/*.test.ts", ...POSTGRES_HTTP_SUITES];
/**
 * SQLite only, by nature (listed for the record; the HTTP ones are simply not in the list above):
 * - sqlite-transactions: BEGIN IMMEDIATE and SQLITE_BUSY, SQLite's own locking;
 * - durability: the SQLite file after a SIGKILL (integrity_check) and `npm run db:backup`'s file copy;
 * - db-seed: `npm run db:seed`, a bulk loader for a SQLite file.
 * Every other HTTP suite runs on both (session-lifetimes moves its sessions' times back
 * in the database instead of waiting out short windows, so load cannot flake it).
 */
/** PostgreSQL only, by nature: its prepared statements (db/connection.ts). */
const POSTGRES_ONLY = ["tests/unit/postgres-statements.test.ts"];
const SQLITE_ONLY = ["tests/unit/sqlite-transactions.test.ts", "tests/http/durability.test.ts", "tests/http/db-seed.test.ts"];
// Sized for a busy 2-core machine: HTTP tests start servers and spawn commands (tsx scripts
// take seconds each). On a quiet day the slowest take ~20 s; with the machine loaded to 15+
// (2026-12-06) the CLI and re-encryption tests took 40-60 s, and these machines have 2-3x
// slower days: 120 s keeps them far inside.
const TIMEOUTS = { testTimeout: 120_000, hookTimeout: 120_000 };

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
          exclude: POSTGRES_ONLY,
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
