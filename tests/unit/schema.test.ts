import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { databaseDialect, db } from "~/db.server";

/**
 * db/schema.ts is the one truth about the database's shape: after the
 * migrations, this database (SQLite or PostgreSQL, whichever the project
 * runs) has exactly the tables and columns it declares. A table marked
 * `@sqliteOnly` (`@postgresOnly`) there exists on that database only.
 */
type Declared = { columns: string[]; sqliteOnly: boolean; postgresOnly: boolean };

function declaredSchema(): Map<string, Declared> {
  const file = path.resolve("db/schema.ts");
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const interfaces = new Map<string, ts.InterfaceDeclaration>();
  source.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node)) interfaces.set(node.name.text, node);
  });
  const database = interfaces.get("Database");
  if (!database) throw new Error("db/schema.ts declares no Database interface");
  const tables = new Map<string, Declared>();
  for (const member of database.members) {
    if (!ts.isPropertySignature(member) || !member.type || !ts.isTypeReferenceNode(member.type)) continue;
    const table = (member.name as ts.Identifier).text;
    const shape = interfaces.get(member.type.typeName.getText(source));
    if (!shape) throw new Error(`db/schema.ts: no interface ${member.type.typeName.getText(source)} for ${table}`);
    const columns = shape.members.filter(ts.isPropertySignature).map((m) => (m.name as ts.Identifier).text);
    const tagged = (name: string) => ts.getJSDocTags(member).some((tag) => tag.tagName.text === name);
    tables.set(table, { columns: columns.sort(), sqliteOnly: tagged("sqliteOnly"), postgresOnly: tagged("postgresOnly") });
  }
  return tables;
}

describe(`the ${databaseDialect()} database after the migrations`, () => {
  it("has exactly the tables and columns db/schema.ts declares", async () => {
    const declared = declaredSchema();
    expect(declared.size).toBeGreaterThan(10);
    const actual = new Map((await db.introspection.getTables()).map((t) => [t.name, t.columns.map((c) => c.name).sort()]));
    const dialect = databaseDialect();
    for (const [table, { columns, sqliteOnly, postgresOnly }] of declared) {
      if ((sqliteOnly && dialect === "postgres") || (postgresOnly && dialect === "sqlite")) {
        expect(actual.has(table), `${table} is ${sqliteOnly ? "SQLite" : "PostgreSQL"}-only`).toBe(false);
      } else if (sqliteOnly) {
        // An FTS5 table lists its own columns; rowid and the table-named column are hidden ones.
        expect(columns, table).toEqual(expect.arrayContaining(actual.get(table) ?? ["(missing)"]));
      } else {
        expect(actual.get(table), table).toEqual(columns);
      }
    }
    // Nothing undeclared, apart from FTS5's own storage tables behind users_search.
    const undeclared = [...actual.keys()].filter((table) => !declared.has(table) && !table.startsWith("users_search_"));
    expect(undeclared).toEqual([]);
  });

  if (databaseDialect() === "postgres") {
    it("keeps users_count equal to the number of users through inserts and deletes", async () => {
      const count = async () => {
        const kept = await db.selectFrom("users_count").select("n").executeTakeFirstOrThrow();
        const real = await db.selectFrom("users").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
        return [kept.n, real.n];
      };
      const stamp = Date.now();
      const rows = [1, 2, 3].map((i) => ({ email: `count-${stamp}-${i}@example.com`, name: "Count", password_hash: "x", created_at: stamp, updated_at: stamp }));
      await db.insertInto("users").values(rows).execute();
      const [kept, real] = await count();
      expect(kept).toBe(real);
      await db.deleteFrom("users").where("email", "like", `count-${stamp}-%`).execute();
      const [after, realAfter] = await count();
      expect(after).toBe(realAfter);
      expect(after).toBe(kept! - 3);
    });
  }

  it("reads integers back as numbers (bigint times, counts), as db/schema.ts says", async () => {
    const created = await db
      .insertInto("users")
      .values({ email: `schema-${Date.now()}@example.com`, name: "Schema", password_hash: "x", created_at: 1_800_000_000_123, updated_at: 1_800_000_000_123 })
      .returning(["id", "created_at", "active"])
      .executeTakeFirstOrThrow();
    expect(created).toEqual({ id: expect.any(Number), created_at: 1_800_000_000_123, active: 1 });
    const { n } = await db.selectFrom("users").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    expect(typeof n).toBe("number");
    const row = await db.selectFrom("users").select(["email_confirmed_at", "updated_at"]).where("id", "=", created.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ email_confirmed_at: null, updated_at: 1_800_000_000_123 });
  });
});
