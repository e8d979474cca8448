import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { beforeAll, inject } from "vitest";

// A real database per test file, migrated before its first test: a SQLite
// file, or (the `postgres` project) a PostgreSQL database copied from the
// migrated template that tests/postgres-global-setup.ts prepared.
const worker = process.env.VITEST_POOL_ID ?? "0";
process.env.NODE_ENV = "test";
if (process.env.TEST_DATABASE === "postgres") {
  const admin = new URL(inject("postgresAdminUrl"));
  const name = `test_${worker}_${process.pid}`;
  const client = new pg.Client({ connectionString: admin.href });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${name}"`);
  await client.query(`CREATE DATABASE "${name}" TEMPLATE app_template`);
  await client.end();
  admin.pathname = `/${name}`;
  process.env.DATABASE_URL = admin.href;
} else {
  const dir = path.resolve(".tmp/vitest");
  fs.mkdirSync(dir, { recursive: true });
  process.env.DATABASE_URL = `file:${path.join(dir, `worker-${worker}-${process.pid}.db`)}`;
}
process.env.SESSION_SECRET = "test-secret-0123456789abcdef0123456789abcdef";
process.env.ENCRYPTION_KEY = "test-encryption-key-0123456789abcdef0123456789";
process.env.BCRYPT_COST = "4";
process.env.LOG_LEVEL = "silent";

beforeAll(async () => {
  const { db } = await import("~/db.server");
  const { migrateToLatest } = await import("../db/migrate");
  await migrateToLatest(db);
});
