import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { createPostgresDatabase } from "../../db/connection";
import { databaseDialect } from "~/db.server";

// db/connection.ts: on PostgreSQL each connection prepares the app's statements under names.
if (databaseDialect() === "postgres") describe("prepared statements on PostgreSQL", () => {
  const open = () => createPostgresDatabase(process.env.DATABASE_URL!, { poolSize: 1 }).db;
  const prepared = async (db: ReturnType<typeof open>) =>
    (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(db)).rows.map((r) => r.statement);

  it("prepares a query once per connection and reuses it; leaves LIKE searches unprepared", async () => {
    const db = open();
    try {
      for (let i = 0; i < 3; i++) await db.selectFrom("roles").select("name").where("id", "=", i).execute();
      await db.selectFrom("users").select("id").where("email", "like", "%nobody%").execute();
      const statements = await prepared(db);
      expect(statements.filter((s) => s.includes('from "roles"'))).toHaveLength(1);
      expect(statements.some((s) => s.includes("like"))).toBe(false);
    } finally {
      await db.destroy();
    }
  });

  it("still answers after another connection changes a table that a prepared `select *` reads", async () => {
    const db = open();
    const other = open();
    try {
      await sql`create table prepared_probe (id integer)`.execute(db);
      await sql`insert into prepared_probe values (1)`.execute(db);
      const read = () => db.selectFrom("prepared_probe" as "roles").selectAll().execute();
      expect(await read()).toEqual([{ id: 1 }]);
      await sql`alter table prepared_probe add column note text`.execute(other);
      expect(await read()).toEqual([{ id: 1, note: null }]);
      expect(await read()).toEqual([{ id: 1, note: null }]);
    } finally {
      await sql`drop table if exists prepared_probe`.execute(db);
      await db.destroy();
      await other.destroy();
    }
  });
});
