import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { createDatabase, openSqlite } from "../../db/connection";
import { migrateToLatest } from "../../db/migrate";

const require = createRequire(import.meta.url);

// Two processes on one SQLite file (the server and `npm run user`, or two
// server workers): a read-then-write transaction must not fail because the
// other one committed in between.
describe("SQLite transactions across connections", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  function files() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sqlite-tx-"));
    dirs.push(dir);
    const file = path.join(dir, "app.db");
    const setup = openSqlite(file);
    setup.exec("CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL); INSERT INTO counters VALUES ('n', 0);");
    setup.close();
    return file;
  }

  it("takes the write lock at the start, so another writer waits instead of invalidating its snapshot", async () => {
    const file = files();
    const { db, sqlite } = createDatabase(file);
    const other = openSqlite(file);
    other.pragma("busy_timeout = 0");
    let otherWrite: unknown = null;

    await db.transaction().execute(async (trx) => {
      const row = await sql<{ value: number }>`SELECT value FROM counters WHERE name = 'n'`.execute(trx);
      try {
        other.prepare("UPDATE counters SET value = value + 100 WHERE name = 'n'").run();
      } catch (error) {
        otherWrite = error;
      }
      await sql`UPDATE counters SET value = ${row.rows[0]!.value + 1} WHERE name = 'n'`.execute(trx);
    });

    expect(otherWrite).toMatchObject({ code: "SQLITE_BUSY" });
    other.prepare("UPDATE counters SET value = value + 100 WHERE name = 'n'").run();
    expect(other.prepare("SELECT value FROM counters").pluck().get()).toBe(101);
    other.close();
    await db.destroy();
    expect(sqlite.open).toBe(false);
  });

  it("opens a new file and migrates it while another process holds the write lock longer than busy_timeout", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sqlite-tx-"));
    dirs.push(dir);
    const file = path.join(dir, "app.db");
    // Another process (a thread here: this one blocks while it retries) creates the file and keeps it locked a moment.
    const holder = new Worker(
      `const SQLite = require(${JSON.stringify(require.resolve("better-sqlite3"))});
       const { parentPort } = require("node:worker_threads");
       const s = new SQLite(${JSON.stringify(file)});
       s.exec("BEGIN EXCLUSIVE; CREATE TABLE first (a);");
       parentPort.postMessage("locked");
       setTimeout(() => { s.exec("COMMIT"); s.close(); parentPort.postMessage("released"); }, 400);`,
      { eval: true },
    );
    await new Promise((resolve) => holder.once("message", resolve));
    const released = new Promise((resolve) => holder.once("message", resolve));
    // Switching to WAL waits (busy_timeout, then retries) instead of failing the start.
    const { db, sqlite } = createDatabase(file);
    try {
      expect(sqlite.pragma("journal_mode", { simple: true })).toBe("wal");
      await released;
      // Migrating while another holds the write lock past busy_timeout: it tries again, then applies everything.
      const other = openSqlite(file);
      sqlite.pragma("busy_timeout = 50");
      other.exec("BEGIN IMMEDIATE");
      setTimeout(() => other.exec("COMMIT"), 300);
      const applied = await migrateToLatest(db);
      other.close();
      expect(applied.length).toBeGreaterThan(10);
      expect(await migrateToLatest(db)).toEqual([]);
    } finally {
      await db.destroy();
      await holder.terminate();
    }
  });
});
