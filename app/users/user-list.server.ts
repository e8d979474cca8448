import { type Expression, type ExpressionBuilder, type QueryCreator, type RawBuilder, type SqlBool, sql } from "kysely";
import { type Database, databaseDialect, db } from "~/db.server";
import { rolesOfUsers } from "./roles.server";
import type { SortDirection, UserSort } from "./user-list";
import type { PublicUser } from "./users.server";

/**
 * The admin user list: search, sort, count and paginate without reading the
 * whole table, so it costs the same at 1,000 and 100,000 users
 * (docs/decisions/003-admin-user-list-at-scale.md):
 * - every sort walks an index on (key, id);
 * - Previous/Next carry the id of the row they continue from (`after`/`before`)
 *   and seek into that index (keyset pagination); a page asked for by number
 *   alone is an OFFSET from the nearer end of the list;
 * - `q` (3 characters or more) looks matches up in a trigram index and sorts
 *   them, while they are few; when they are many, walking the sort index and
 *   filtering finds a page sooner (the more matches, the shorter the walk). The
 *   count stops where one plan gets dearer than the other (searchCountLimit).
 */

export type { SortDirection, UserSort };
export const PAGE_SIZE = 25;
/** A search counts its matches up to at least this many; beyond, the page says "more than". */
export const SEARCH_COUNT_LIMIT = 1000;

/**
 * Up to how many matches a search counts and sorts them, for a table of
 * `users`. Sorting m matches costs about m row reads; walking the sort index
 * to fill a page of 25 costs about 25 * users / m rows, each ~1.2x dearer (a
 * LIKE on two columns): the two meet at sqrt(30 * users). Below the meeting
 * point sort, above it walk: the worst search then reads ~2 * sqrt(30 * users)
 * rows (1,700 at 100,000 users) instead of all of them.
 */
export function searchCountLimit(users: number): number {
  return Math.max(SEARCH_COUNT_LIMIT, Math.round(Math.sqrt(30 * users)));
}

/** The trigram index can only look up strings of at least 3 characters. */
const MIN_INDEXED_QUERY = 3;

export type UserListQuery = {
  q?: string;
  sort?: UserSort;
  dir?: SortDirection;
  page?: number;
  /** Id of the last row of the previous page (Next links). */
  after?: number | null;
  /** Id of the first row of the next page (Previous links). */
  before?: number | null;
  pageSize?: number;
};

export type ListedUser = PublicUser & { roles: string[] };

export type UserListPage = {
  users: ListedUser[];
  page: number;
  /** Exact, unless `totalIsLowerBound` (a search with more matches than searchCountLimit). */
  total: number;
  totalIsLowerBound: boolean;
  /** null when the total is only a lower bound. */
  pageCount: number | null;
  hasPrevious: boolean;
  hasNext: boolean;
};

/** How `q` narrows the list: not at all, through the trigram index, or by filtering rows while walking the sort index. */
export type UserFilter = { kind: "all" } | { kind: "indexed"; phrase: string; pattern: string } | { kind: "scan"; pattern: string };

const SORT_KEYS: Record<UserSort, RawBuilder<string | number>> = {
  name: sql`lower(users.name)`,
  email: sql`users.email`,
  created: sql`users.created_at`,
};

type Cursor = { id: number; key: string | number };

/** An FTS5 phrase that matches `q` as a substring of name or email (quotes doubled, so `q` is never syntax). */
function ftsPhrase(q: string): string {
  return `"${q.replaceAll('"', '""')}"`;
}

/** A LIKE pattern for "contains q" with q's own % and _ taken literally. */
function containsPattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * "name or email contains q", case-insensitively. SQLite: LIKE (ASCII case
 * folding, like its FTS5 trigram index). PostgreSQL: `lower(name) LIKE
 * lower(q)`, which is what ILIKE means at less than half its cost per row
 * (emails are stored lower-cased), and what its pg_trgm GIN indexes on
 * lower(name) and email serve (db/migrations/0016).
 */
function containsFilter(pattern: string, table = "users"): RawBuilder<SqlBool> {
  const name = sql.ref(`${table}.name`);
  const email = sql.ref(`${table}.email`);
  if (databaseDialect() === "postgres") {
    // Email first: the cheaper test (no lower()) settles most matches, emails often containing the name.
    return sql<SqlBool>`(${email} LIKE lower(${pattern}) ESCAPE '\\' OR lower(${name}) LIKE lower(${pattern}) ESCAPE '\\')`;
  }
  return sql<SqlBool>`(${name} LIKE ${pattern} ESCAPE '\\' OR ${email} LIKE ${pattern} ESCAPE '\\')`;
}

/**
 * "indexed": the matches are looked up in the trigram index, then sorted
 * (FTS5 on SQLite; on PostgreSQL, pageQuery reads them from a materialized
 * CTE, so that its planner, which prices a LIKE per row far below its real
 * cost, cannot walk the sort index instead). "scan": the sort index is
 * walked and each row filtered.
 */
function whereFilter(filter: UserFilter) {
  return (eb: ExpressionBuilder<Database, "users">): Expression<SqlBool> => {
    if (filter.kind === "indexed" && databaseDialect() === "sqlite") {
      return eb("users.id", "in", eb.selectFrom("users_search").select("rowid").where("users_search", "match", filter.phrase));
    }
    if (filter.kind === "scan") return containsFilter(filter.pattern);
    return sql<SqlBool>`1 = 1`;
  };
}

/**
 * Where a page's rows come from: the table, or on PostgreSQL for an indexed
 * search only its matches, as a CTE that takes the table's name (inside a
 * non-recursive CTE `users` is still the table), so that the rest of the
 * query reads the same.
 */
function rowsOf(filter: UserFilter): QueryCreator<Database> {
  if (filter.kind !== "indexed" || databaseDialect() !== "postgres") return db;
  return db.with(
    (cte) => cte("users").materialized(),
    (qb) => qb.selectFrom("users").selectAll().where(containsFilter(filter.pattern)),
  ) as unknown as QueryCreator<Database>;
}

/**
 * The rows of one page, `limit` of them, in `dir` order by `sort` then id,
 * strictly past `cursor` when given (written out as `key >= k AND (key > k OR
 * id > i)`, the form SQLite turns into an index seek), else from `offset`.
 */
export function pageQuery(
  filter: UserFilter,
  { sort, dir, cursor, offset = 0, limit }: { sort: UserSort; dir: SortDirection; cursor?: Cursor; offset?: number; limit: number },
) {
  const key = SORT_KEYS[sort];
  let query = rowsOf(filter)
    .selectFrom("users")
    .select(["users.id", "users.email", "users.name", "users.active", "users.created_at"])
    .where(whereFilter(filter));
  if (cursor) {
    const [edge, strict] = dir === "asc" ? [sql.raw(">="), sql.raw(">")] : [sql.raw("<="), sql.raw("<")];
    query = query.where(
      sql<SqlBool>`${key} ${edge} ${cursor.key} AND (${key} ${strict} ${cursor.key} OR users.id ${strict} ${cursor.id})`,
    );
  }
  return query
    .orderBy(key, dir)
    .orderBy("users.id", dir)
    .limit(limit)
    .offset(offset);
}

/** How many users match: exact for the whole list; for a search, up to `limit`. */
export function countQuery(filter: UserFilter, limit = SEARCH_COUNT_LIMIT + 1) {
  if (filter.kind === "all") {
    // PostgreSQL's count(*) reads the whole table; its triggers keep the count in a row (db/migrations/0003).
    if (databaseDialect() === "postgres") return db.selectFrom("users_count").select("n");
    return db.selectFrom("users").select((eb) => eb.fn.countAll<number>().as("n"));
  }
  const matches =
    filter.kind === "indexed" && databaseDialect() === "sqlite"
      ? db.selectFrom("users_search").select("rowid as id").where("users_search", "match", filter.phrase).limit(limit)
      : db.selectFrom("users").select("users.id").where(containsFilter(filter.pattern)).limit(limit);
  return db.selectFrom(matches.as("matches")).select((eb) => eb.fn.countAll<number>().as("n"));
}

/** Chooses how to run a search: by index while its matches are few, by filtered walk when they are many. */
async function planSearch(q: string): Promise<{ filter: UserFilter; total: number; totalIsLowerBound: boolean }> {
  const users = Number((await countQuery({ kind: "all" }).executeTakeFirstOrThrow()).n);
  if (!q) return { filter: { kind: "all" }, total: users, totalIsLowerBound: false };
  const limit = searchCountLimit(users);
  const scan: UserFilter = { kind: "scan", pattern: containsPattern(q) };
  const indexed: UserFilter | null = [...q].length >= MIN_INDEXED_QUERY ? { kind: "indexed", phrase: ftsPhrase(q), pattern: scan.pattern } : null;
  const n = Number((await countQuery(indexed ?? scan, limit + 1).executeTakeFirstOrThrow()).n);
  if (n > limit) return { filter: scan, total: limit, totalIsLowerBound: true };
  return { filter: indexed ?? scan, total: n, totalIsLowerBound: false };
}

async function findCursor(id: number | null | undefined, sort: UserSort): Promise<Cursor | undefined> {
  if (!id) return undefined;
  const row = await db.selectFrom("users").select(SORT_KEYS[sort].as("key")).where("id", "=", id).executeTakeFirst();
  return row ? { id, key: row.key } : undefined;
}

/** One page of the user list (see the module comment for how it stays fast). */
export async function listUsersPage(query: UserListQuery): Promise<UserListPage> {
  const q = (query.q ?? "").trim();
  const sort = query.sort ?? "name";
  const dir = query.dir ?? "asc";
  const size = query.pageSize ?? PAGE_SIZE;
  const reverse: SortDirection = dir === "asc" ? "desc" : "asc";
  const { filter, total, totalIsLowerBound } = await planSearch(q);
  const pageCount = totalIsLowerBound ? null : Math.max(1, Math.ceil(total / size));
  let page = Math.max(1, Math.floor(query.page ?? 1));
  if (pageCount !== null) page = Math.min(page, pageCount);

  let rows: PublicUser[] | undefined;
  let hasPrevious = page > 1;
  let hasNext = false;

  const after = await findCursor(query.after, sort);
  const before = after ? undefined : await findCursor(query.before, sort);
  if (after) {
    const found = await pageQuery(filter, { sort, dir, cursor: after, limit: size + 1 }).execute();
    hasNext = found.length > size;
    rows = found.slice(0, size);
    hasPrevious = true;
  } else if (before) {
    const found = await pageQuery(filter, { sort, dir: reverse, cursor: before, limit: size + 1 }).execute();
    // Fewer rows than a page before the cursor: this is the first page (rows were deleted meanwhile).
    if (found.length > size) {
      rows = found.slice(0, size).reverse();
      hasPrevious = true;
      hasNext = true;
    } else {
      page = 1;
      hasPrevious = false;
    }
  }
  if (!rows) {
    const offset = (page - 1) * size;
    const fromEnd = totalIsLowerBound ? Infinity : total - Math.min(offset + size, total);
    if (fromEnd < offset) {
      // A deep page near the end: read it backwards from the end, a short walk.
      const limit = Math.min(offset + size, total) - offset;
      rows = (await pageQuery(filter, { sort, dir: reverse, offset: fromEnd, limit }).execute()).reverse();
      hasNext = offset + size < total;
    } else {
      const found = await pageQuery(filter, { sort, dir, offset, limit: size + 1 }).execute();
      hasNext = found.length > size;
      rows = found.slice(0, size);
    }
  }
  const roles = await rolesOfUsers(rows.map((user) => user.id));
  return {
    users: rows.map((user) => ({ ...user, roles: roles.get(user.id) ?? [] })),
    page,
    total,
    totalIsLowerBound,
    pageCount,
    hasPrevious,
    hasNext,
  };
}
