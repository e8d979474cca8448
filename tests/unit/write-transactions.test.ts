import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseDialect, db } from "~/db.server";

// The app's transactions read, decide, then write (the last admin, a single-use
// code). They must run one at a time on both databases: BEGIN IMMEDIATE on
// SQLite, a transaction-scoped advisory lock on PostgreSQL, where READ
// COMMITTED alone would let two of them decide on the same reading.
describe(`write transactions on ${databaseDialect()}`, () => {
  beforeAll(async () => {
    await sql`CREATE TABLE tx_counter (name text PRIMARY KEY, value integer NOT NULL)`.execute(db);
    await sql`INSERT INTO tx_counter (name, value) VALUES ('n', 0)`.execute(db);
  });
  afterAll(async () => {
    await sql`DROP TABLE tx_counter`.execute(db);
  });

  it("runs read-then-write transactions one at a time: no update is lost", async () => {
    await Promise.all(
      Array.from({ length: 12 }, () =>
        db.transaction().execute(async (trx) => {
          const { rows } = await sql<{ value: number }>`SELECT value FROM tx_counter WHERE name = 'n'`.execute(trx);
          // Give another transaction every chance to read the same value meanwhile.
          await new Promise((resolve) => setTimeout(resolve, 5));
          await sql`UPDATE tx_counter SET value = ${rows[0]!.value + 1} WHERE name = 'n'`.execute(trx);
        }),
      ),
    );
    const { rows } = await sql<{ value: number }>`SELECT value FROM tx_counter WHERE name = 'n'`.execute(db);
    expect(rows[0]!.value).toBe(12);
  });
});
