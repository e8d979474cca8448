import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { databaseDialect, db } from "~/db.server";
import { HOUSEKEEPING_LOCK_KEY, runHousekeeping } from "~/housekeeping.server";

describe(`housekeeping on ${databaseDialect()}`, () => {
  it("runs every task when nothing else is running it", async () => {
    const removed = await runHousekeeping();
    expect(removed).toHaveProperty("expired sessions");
    expect(removed).toHaveProperty("expired tokens");
  });

  // Several instances share one PostgreSQL database: the one holding the advisory lock does the round.
  if (databaseDialect() === "postgres") {
    it("skips the round while another instance holds the advisory lock, and runs once it is released", async () => {
      await db.connection().execute(async (other) => {
        await sql`select pg_advisory_lock(${sql.lit(HOUSEKEEPING_LOCK_KEY)})`.execute(other);
        try {
          expect(await runHousekeeping()).toBeNull();
        } finally {
          await sql`select pg_advisory_unlock(${sql.lit(HOUSEKEEPING_LOCK_KEY)})`.execute(other);
        }
      });
      expect(await runHousekeeping()).toHaveProperty("expired sessions");
    });
  }
});
