import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { requirePermission } from "~/auth/guards.server";
import { hasPermission } from "~/auth/permissions";
import { DEFAULT_DIRECTION, type SortDirection, USER_SORTS, type UserSort } from "~/users/user-list";
import { listUsersPage } from "~/users/user-list.server";

export const meta: MetaFunction = () => [{ title: "Users · Admin · Remix Auth Kit" }];

// A list URL is often typed or edited by hand: a bad value falls back to the default, never a 400.
const ListParams = z.object({
  // A NUL matches no name or email, and neither database takes it in a search (FTS5, PostgreSQL text).
  q: z.string().trim().max(200).refine((q) => !q.includes("\u0000")).catch(""),
  sort: z.enum(USER_SORTS).catch("name"),
  dir: z.enum(["asc", "desc"]).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1),
  after: z.coerce.number().int().positive().optional().catch(undefined),
  before: z.coerce.number().int().positive().optional().catch(undefined),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requirePermission({ request, context }, "users:read");
  const params = ListParams.parse(Object.fromEntries(new URL(request.url).searchParams));
  const dir = params.dir ?? DEFAULT_DIRECTION[params.sort];
  const list = await listUsersPage({ ...params, dir });
  return {
    list,
    query: { q: params.q, sort: params.sort, dir },
    canCreate: hasPermission(viewer, "users:write"),
  };
}

type ListState = { q: string; sort: UserSort; dir: SortDirection };

/** A list URL: only what differs from the defaults, so the first page is plain /admin/users. */
function listHref(state: ListState, extra: { page?: number; after?: number; before?: number } = {}): string {
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  if (state.sort !== "name") params.set("sort", state.sort);
  if (state.dir !== DEFAULT_DIRECTION[state.sort]) params.set("dir", state.dir);
  if (extra.page && extra.page > 1) {
    params.set("page", String(extra.page));
    if (extra.after) params.set("after", String(extra.after));
    if (extra.before) params.set("before", String(extra.before));
  }
  const query = params.toString();
  return query ? `/admin/users?${query}` : "/admin/users";
}

const COLUMNS: { key: UserSort | null; label: string }[] = [
  { key: "name", label: "Name" },
  { key: "email", label: "Email" },
  { key: null, label: "Roles" },
  { key: null, label: "Status" },
  { key: "created", label: "Created" },
];

function SortHeader({ column, state }: { column: (typeof COLUMNS)[number]; state: ListState }) {
  if (!column.key) return <th scope="col">{column.label}</th>;
  const current = state.sort === column.key;
  const next: SortDirection = current ? (state.dir === "asc" ? "desc" : "asc") : DEFAULT_DIRECTION[column.key];
  return (
    <th scope="col" aria-sort={current ? (state.dir === "asc" ? "ascending" : "descending") : undefined}>
      <Link to={listHref({ q: state.q, sort: column.key, dir: next })} className="sort-link">
        {column.label}
        <span aria-hidden="true" className="sort-mark">
          {current ? (state.dir === "asc" ? " ▲" : " ▼") : ""}
        </span>
      </Link>
    </th>
  );
}

const numberFormat = new Intl.NumberFormat("en");

function Summary({ total, lowerBound, q }: { total: number; lowerBound: boolean; q: string }) {
  const one = total === 1 && !lowerBound;
  const count = `${lowerBound ? "More than " : ""}${numberFormat.format(total)} ${one ? "user" : "users"}`;
  if (!q) return <p className="list-summary">{count}</p>;
  return (
    <p className="list-summary">
      {`${count} ${one ? "matches" : "match"} “${q}”. ${lowerBound ? "Narrow the search for an exact count. " : ""}`}
      <Link to={listHref({ q: "", sort: "name", dir: "asc" })}>Clear search</Link>
    </p>
  );
}

export default function AdminUsersPage() {
  const { list, query, canCreate } = useLoaderData<typeof loader>();
  const searching = useNavigation().state === "loading";
  const first = list.users[0];
  const last = list.users.at(-1);
  return (
    <section aria-labelledby="users-title" className="admin">
      <div className="admin-heading">
        <h1 id="users-title">Users</h1>
        {canCreate ? (
          <Link to="/admin/users/new" className="button primary">
            New user
          </Link>
        ) : null}
      </div>

      <Form method="get" role="search" className="search-form">
        <label htmlFor="q">Search users</label>
        <input id="q" name="q" type="search" defaultValue={query.q} placeholder="Name or email" maxLength={200} />
        {query.sort !== "name" ? <input type="hidden" name="sort" value={query.sort} /> : null}
        {query.dir !== DEFAULT_DIRECTION[query.sort] ? <input type="hidden" name="dir" value={query.dir} /> : null}
        <button type="submit" className="button" disabled={searching}>
          Search
        </button>
      </Form>

      <Summary total={list.total} lowerBound={list.totalIsLowerBound} q={query.q} />

      {list.users.length === 0 ? (
        <div className="empty-state">
          <p>{query.q ? `No users match “${query.q}”.` : "No users yet."}</p>
        </div>
      ) : (
        <div className="table-wrap">
          <table className="data-table">
            <thead>
              <tr>
                {COLUMNS.map((column) => (
                  <SortHeader key={column.label} column={column} state={query} />
                ))}
              </tr>
            </thead>
            <tbody>
              {list.users.map((user) => (
                <tr key={user.id}>
                  <td>
                    <Link to={`/admin/users/${user.id}`}>{user.name}</Link>
                  </td>
                  <td>{user.email}</td>
                  <td>{user.roles.join(", ") || "none"}</td>
                  <td>{user.active ? "Active" : <span className="badge-muted">Inactive</span>}</td>
                  <td>
                    <time dateTime={new Date(user.created_at).toISOString()}>
                      {new Date(user.created_at).toISOString().slice(0, 10)}
                    </time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {list.users.length > 0 && (list.hasPrevious || list.hasNext) ? (
        <nav aria-label="Pagination" className="pagination">
          <PageLink to={listHref(query)} enabled={list.hasPrevious} label="First" />
          <PageLink
            to={listHref(query, { page: list.page - 1, before: first?.id })}
            enabled={list.hasPrevious}
            label="Previous"
            rel="prev"
          />
          <span className="page-position">
            {`Page ${numberFormat.format(list.page)}${list.pageCount !== null ? ` of ${numberFormat.format(list.pageCount)}` : ""}`}
          </span>
          <PageLink
            to={listHref(query, { page: list.page + 1, after: last?.id })}
            enabled={list.hasNext}
            label="Next"
            rel="next"
          />
          {list.pageCount !== null ? (
            <PageLink to={listHref(query, { page: list.pageCount })} enabled={list.hasNext} label="Last" />
          ) : null}
        </nav>
      ) : null}
    </section>
  );
}

function PageLink({ to, enabled, label, rel }: { to: string; enabled: boolean; label: string; rel?: string }) {
  if (!enabled) {
    return (
      <span className="page-link disabled" aria-disabled="true">
        {label}
      </span>
    );
  }
  return (
    <Link to={to} rel={rel} className="page-link">
      {label}
    </Link>
  );
}
