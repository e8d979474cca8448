import type { ColumnDefinitionBuilder } from "kysely";
import type { Dialect } from "../connection";

/**
 * An integer primary key the database numbers: SQLite's AUTOINCREMENT (ids
 * never reused), PostgreSQL's identity column (Kysely's autoIncrement() is
 * MySQL/SQLite syntax).
 */
export function identity(dialect: Dialect) {
  return (column: ColumnDefinitionBuilder) =>
    dialect === "postgres" ? column.primaryKey().generatedByDefaultAsIdentity() : column.primaryKey().autoIncrement();
}
