import { type Expression, type ExpressionBuilder, type InferResult, type QueryCreator, type RawBuilder, type SqlBool, sql } from "kysely";
import { type Database, databaseDialect, db } from "~/db.server";
import { parseNames, roleNamesOf } from "./roles.server";
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
 *   count stops where one plan gets dearer than the other (searchCountLimit),
 *   and a search found to have more is remembered for a minute, so that its
 *   next pages walk at once (broadSearches).
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

/** A sort key, on the table or on another name for it (a page's rows `p`, a cursor's row `c`). */
function sortKey(sort: UserSort, table = "users"): RawBuilder<string | number> {
  if (sort === "name") return sql.raw(`lower(${table}.name)`);
  return sql.ref(`${table}.${sort === "created" ? "created_at" : "email"}`);
}

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
 * strictly past the row whose id is `cursor` when given (written out as
 * `key >= k AND (key > k OR id > i)`, the form SQLite turns into an index
 * seek, with k read by a subquery run once: no round trip to look it up; a
 * cursor whose user is gone matches nothing), else from `offset`.
 */
export function pageQuery(
  filter: UserFilter,
  { sort, dir, cursor, offset = 0, limit }: { sort: UserSort; dir: SortDirection; cursor?: number; offset?: number; limit: number },
) {
  const key = sortKey(sort);
  let query = rowsOf(filter)
    .selectFrom("users")
    .select(["users.id", "users.email", "users.name", "users.active", "users.created_at"])
    .where(whereFilter(filter));
  if (cursor) {
    const [edge, strict] = dir === "asc" ? [sql.raw(">="), sql.raw(">")] : [sql.raw("<="), sql.raw("<")];
    const at = sql`(select ${sortKey(sort, "c")} from users as c where c.id = ${cursor})`;
    query = query.where(sql<SqlBool>`${key} ${edge} ${at} AND (${key} ${strict} ${at} OR users.id ${strict} ${cursor})`);
  }
  return query
    .orderBy(key, dir)
    .orderBy("users.id", dir)
    .limit(limit)
    .offset(offset);
}

/** Every user, counted (PostgreSQL's count(*) reads the whole table; its triggers keep the count in a row, db/migrations/0003). */
function allUsersCount(): RawBuilder<number> {
  return databaseDialect() === "postgres" ? sql`(select n from users_count)` : sql`(select count(*) from users)`;
}

/**
 * A page as the list shows it: pageQuery's rows with each user's roles (read
 * for these rows only, not for those an OFFSET skips) and, with `withTotal`,
 * the number of users on every row: the plain list's page in one statement.
 */
export function listQuery(filter: UserFilter, options: Parameters<typeof pageQuery>[1], { withTotal = false } = {}) {
  const total: RawBuilder<number | null> = withTotal ? allUsersCount() : sql`null`;
  return db
    .selectFrom(pageQuery(filter, options).as("p"))
    .selectAll("p")
    .select([roleNamesOf("p.id").as("roles"), total.as("total")])
    .orderBy(sortKey(options.sort, "p"), options.dir)
    .orderBy("p.id", options.dir);
}

type ListRow = InferResult<ReturnType<typeof listQuery>>[number];

function listedUser(row: ListRow): ListedUser {
  return { id: row.id, email: row.email, name: row.name, active: row.active, created_at: row.created_at, roles: parseNames(row.roles) };
}

/** How many users match: exact for the whole list; for a search, up to `limit`. */
export function countQuery(filter: UserFilter, limit = SEARCH_COUNT_LIMIT + 1) {
  if (filter.kind === "all") return db.selectNoFrom(allUsersCount().as("n"));
  const matches =
    filter.kind === "indexed" && databaseDialect() === "sqlite"
      ? db.selectFrom("users_search").select("rowid as id").where("users_search", "match", filter.phrase).limit(limit)
      : db.selectFrom("users").select("users.id").where(containsFilter(filter.pattern)).limit(limit);
  return db.selectFrom(matches.as("matches")).select((eb) => eb.fn.countAll<number>().as("n"));
}

async function countAllUsers(): Promise<number> {
  return Number((await countQuery({ kind: "all" }).executeTakeFirstOrThrow()).n);
}

/** How long a process sizes searches by the same count of users (searchCountLimit only needs its order of magnitude). */
const USERS_ESTIMATE_MS = 60_000;
let usersEstimate: { n: number; at: number } | null = null;

async function estimateUsers(): Promise<number> {
  const now = Date.now();
  if (!usersEstimate || now - usersEstimate.at >= USERS_ESTIMATE_MS) usersEstimate = { n: await countAllUsers(), at: now };
  return usersEstimate.n;
}

type SearchPlan = { filter: UserFilter; total: number; totalIsLowerBound: boolean };

/**
 * Searches seen to match more users than searchCountLimit in the last
 * USERS_ESTIMATE_MS, by when (the newest BROAD_SEARCHES_KEPT, per process).
 * Paging through a broad search (each Next link) or running it again walks
 * the sort index at once instead of counting its matches up to the limit
 * first: the count that costs most on PostgreSQL (a heap read and a LIKE per
 * match, up to 1,733 at 100,000 users). The page says "more than N" either
 * way; only deleting most of the matches within the minute would make that
 * stale.
 */
const broadSearches = new Map<string, number>();
const BROAD_SEARCHES_KEPT = 256;

function isKnownBroad(q: string): boolean {
  const at = broadSearches.get(q);
  if (at !== undefined && Date.now() - at < USERS_ESTIMATE_MS) return true;
  broadSearches.delete(q);
  return false;
}

function rememberBroad(q: string): void {
  broadSearches.delete(q);
  broadSearches.set(q, Date.now());
  if (broadSearches.size > BROAD_SEARCHES_KEPT) broadSearches.delete(broadSearches.keys().next().value!);
}
type IndexedFilter = Extract<UserFilter, { kind: "indexed" }>;

/** The two ways to run a search for `q`: by the trigram index (null under 3 characters), or by filtered walk. */
function searchFilters(q: string): { indexed: IndexedFilter | null; scan: UserFilter } {
  const pattern = containsPattern(q);
  return { indexed: [...q].length >= MIN_INDEXED_QUERY ? { kind: "indexed", phrase: ftsPhrase(q), pattern } : null, scan: { kind: "scan", pattern } };
}

/** Chooses how to run a search: by index while its matches are few, by filtered walk when they are many. */
async function planSearch(q: string): Promise<SearchPlan> {
  if (!q) {
    const users = await countAllUsers();
    return { filter: { kind: "all" }, total: users, totalIsLowerBound: false };
  }
  const limit = searchCountLimit(await estimateUsers());
  const { indexed, scan } = searchFilters(q);
  const n = Number((await countQuery(indexed ?? scan, limit + 1).executeTakeFirstOrThrow()).n);
  if (n > limit) return { filter: scan, total: limit, totalIsLowerBound: true };
  return { filter: indexed ?? scan, total: n, totalIsLowerBound: false };
}

type SearchRow = { total: number; id: number | null; email: string; name: string; active: number; created_at: number; roles: string | string[] };

/**
 * A search through the trigram index in one statement: its matches, at most
 * `cap` + 1 of them, counted on every row, and the page while they are at
 * most `cap`. With more (a search matching many users, read better by
 * walking the sort index), or no page at `offset`, a single row with the
 * count alone and the page's columns null: there is always a row.
 */
export function searchQuery(filter: IndexedFilter, cap: number, { sort, dir, offset, limit }: { sort: UserSort; dir: SortDirection; offset: number; limit: number }) {
  // SQLite: the index's hits alone (rowids), so that counting many stops early and reads no row; a page's
  // rows are then read by id. PostgreSQL's bitmap scan reads the rows anyway: the matches carry their columns.
  const sqlite = databaseDialect() === "sqlite";
  const matches = sqlite
    ? sql`select rowid as id from users_search where users_search match ${filter.phrase} limit ${cap + 1}`
    : sql`select users.id, users.email, users.name, users.active, users.created_at from users where ${containsFilter(filter.pattern)} limit ${cap + 1}`;
  // CROSS JOIN keeps SQLite's loop over the hits (with an inner join it walked the whole name index instead).
  const rows = sqlite ? sql`matches cross join users` : sql`matches as users`;
  const joined = sqlite ? sql`users.id = matches.id and` : sql``;
  const order = sql.raw(dir === "asc" ? "asc" : "desc");
  return sql<SearchRow>`with matches as materialized (${matches})
select c.n as total, p.id, p.email, p.name, p.active, p.created_at, ${roleNamesOf("p.id")} as roles
from (select count(*) as n from matches) as c
left join (
  select users.id, users.email, users.name, users.active, users.created_at from ${rows}
  where ${joined} (select count(*) from matches) <= ${cap}
  order by ${sortKey(sort)} ${order}, users.id ${order} limit ${limit} offset ${offset}) as p on true
order by ${sortKey(sort, "p")} ${order}, p.id ${order}`;
}

/** Pages up to this deep are read forward in the plain list's one statement; deeper ones may be read from the end (listUsersPage). */
const FAST_OFFSET_LIMIT = 1000;

/**
 * The plain list (no search) in one statement, the usual case: the page
 * (by cursor, or by number while the page is shallow) with the count riding
 * along. null when that cannot settle it (a deep page, a page past the end, a
 * cursor whose user is gone, fewer rows than a page before a Previous
 * cursor): listUsersPage then counts first.
 */
async function plainPage(query: UserListQuery, sort: UserSort, dir: SortDirection, size: number): Promise<UserListPage | null> {
  const reverse: SortDirection = dir === "asc" ? "desc" : "asc";
  const all: UserFilter = { kind: "all" };
  let page = Math.max(1, Math.floor(query.page ?? 1));
  let found: ListRow[];
  let rows: ListRow[];
  let hasPrevious: boolean;
  let hasNext: boolean;
  if (query.after) {
    found = await listQuery(all, { sort, dir, cursor: query.after, limit: size + 1 }, { withTotal: true }).execute();
    rows = found.slice(0, size);
    [hasPrevious, hasNext] = [true, found.length > size];
  } else if (query.before) {
    found = await listQuery(all, { sort, dir: reverse, cursor: query.before, limit: size + 1 }, { withTotal: true }).execute();
    if (found.length <= size) return null;
    rows = found.slice(0, size).reverse();
    [hasPrevious, hasNext] = [true, true];
  } else {
    const offset = (page - 1) * size;
    if (offset > FAST_OFFSET_LIMIT) return null;
    found = await listQuery(all, { sort, dir, offset, limit: size + 1 }, { withTotal: true }).execute();
    rows = found.slice(0, size);
    [hasPrevious, hasNext] = [page > 1, found.length > size];
  }
  if (rows.length === 0) return null;
  const total = Number(rows[0]!.total);
  const pageCount = Math.max(1, Math.ceil(total / size));
  page = Math.min(page, pageCount);
  return { users: rows.map(listedUser), page, total, totalIsLowerBound: false, pageCount, hasPrevious, hasNext };
}

/**
 * A search through the index in one statement (searchQuery), for a shallow
 * page without a cursor: the page itself, or, when that statement cannot
 * settle it, the plan for listUsersPage (many matches: walk the sort index
 * with the scan filter; a page past the matches: read it by number). null
 * when the index cannot serve the search or the page is deep.
 */
async function indexedSearchPage(query: UserListQuery, q: string, sort: UserSort, dir: SortDirection, size: number): Promise<UserListPage | SearchPlan | null> {
  const { indexed, scan } = searchFilters(q);
  const page = Math.max(1, Math.floor(query.page ?? 1));
  const offset = (page - 1) * size;
  if (!indexed || offset > FAST_OFFSET_LIMIT) return null;
  const cap = searchCountLimit(await estimateUsers());
  const { rows: found } = await searchQuery(indexed, cap, { sort, dir, offset, limit: size + 1 }).execute(db);
  const total = Number(found[0]!.total);
  if (total > cap) return { filter: scan, total: cap, totalIsLowerBound: true };
  if (found[0]!.id === null && total > 0) return { filter: indexed, total, totalIsLowerBound: false };
  const users = found[0]!.id === null ? [] : found.slice(0, size).map((row) => listedUser(row as ListRow));
  const pageCount = Math.max(1, Math.ceil(total / size));
  return { users, page: Math.min(page, pageCount), total, totalIsLowerBound: false, pageCount, hasPrevious: page > 1 && total > 0, hasNext: found.length > size };
}

/** One page of the user list (see the module comment for how it stays fast). */
export async function listUsersPage(query: UserListQuery): Promise<UserListPage> {
  const q = (query.q ?? "").trim();
  const sort = query.sort ?? "name";
  const dir = query.dir ?? "asc";
  const size = query.pageSize ?? PAGE_SIZE;
  let plan: SearchPlan | null = null;
  if (!q) {
    const plain = await plainPage(query, sort, dir, size);
    if (plain) return plain;
  } else if (isKnownBroad(q)) {
    plan = { filter: searchFilters(q).scan, total: searchCountLimit(await estimateUsers()), totalIsLowerBound: true };
  } else if (!query.after && !query.before) {
    const searched = await indexedSearchPage(query, q, sort, dir, size);
    if (searched && "users" in searched) return searched;
    plan = searched;
  }
  const reverse: SortDirection = dir === "asc" ? "desc" : "asc";
  const { filter, total, totalIsLowerBound } = plan ?? (await planSearch(q));
  if (totalIsLowerBound) rememberBroad(q);
  const pageCount = totalIsLowerBound ? null : Math.max(1, Math.ceil(total / size));
  let page = Math.max(1, Math.floor(query.page ?? 1));
  if (pageCount !== null) page = Math.min(page, pageCount);

  let rows: ListRow[] | undefined;
  let hasPrevious = page > 1;
  let hasNext = false;

  // A cursor whose user is gone matches no row: the page is then read by its number.
  if (query.after) {
    const found = await listQuery(filter, { sort, dir, cursor: query.after, limit: size + 1 }).execute();
    if (found.length > 0) {
      hasNext = found.length > size;
      rows = found.slice(0, size);
      hasPrevious = true;
    }
  } else if (query.before) {
    const found = await listQuery(filter, { sort, dir: reverse, cursor: query.before, limit: size + 1 }).execute();
    if (found.length > size) {
      rows = found.slice(0, size).reverse();
      hasPrevious = true;
      hasNext = true;
    } else if (found.length > 0) {
      // Fewer rows than a page before the cursor: this is the first page (rows were deleted meanwhile).
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
      rows = (await listQuery(filter, { sort, dir: reverse, offset: fromEnd, limit }).execute()).reverse();
      hasNext = offset + size < total;
    } else {
      const found = await listQuery(filter, { sort, dir, offset, limit: size + 1 }).execute();
      hasNext = found.length > size;
      rows = found.slice(0, size);
    }
  }
  return { users: rows.map(listedUser), page, total, totalIsLowerBound, pageCount, hasPrevious, hasNext };
}
