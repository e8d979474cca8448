import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { createDatabase, openSqlite } from "../../db/connection";

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
});
