import fs from "node:fs";
import path from "node:path";
import { beforeAll } from "vitest";

// A real SQLite file per test worker, migrated before its first test.
const dir = path.resolve(".tmp/vitest");
fs.mkdirSync(dir, { recursive: true });
const worker = process.env.VITEST_POOL_ID ?? "0";
process.env.NODE_ENV = "test";
process.env.DATABASE_URL = `file:${path.join(dir, `worker-${worker}-${process.pid}.db`)}`;
process.env.SESSION_SECRET = "test-secret-0123456789abcdef0123456789abcdef";
process.env.ENCRYPTION_KEY = "test-encryption-key-0123456789abcdef0123456789";
process.env.BCRYPT_COST = "4";
process.env.LOG_LEVEL = "silent";

beforeAll(async () => {
  const { db } = await import("~/db.server");
  const { migrateToLatest } = await import("../db/migrate");
  await migrateToLatest(db);
});
