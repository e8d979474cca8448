import { z } from "zod";

/**
 * The largest id a row can have: ids are `integer` columns, 32 bits on
 * PostgreSQL. A bigger number names no row, and PostgreSQL would answer it
 * with an error (integer out of range), so it is refused before any query.
 */
export const MAX_ROW_ID = 2_147_483_647;

/** A row id from a form field, a query or a route parameter: a whole number from 1 to MAX_ROW_ID. */
export function rowId(message?: string) {
  return z.coerce.number({ message }).int(message).positive(message).max(MAX_ROW_ID, message);
}
