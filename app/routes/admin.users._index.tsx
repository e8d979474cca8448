import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { noFormHere, requirePermission } from "~/auth/guards.server";
import { hasPermission } from "~/auth/permissions";
import { DEFAULT_DIRECTION, type SortDirection, USER_SORTS, type UserSort } from "~/users/user-list";
import { listUsersPage } from "~/users/user-list.server";
import { rowId } from "~/utils/row-id";
import { useLinkClicks } from "~/components/link-clicks";
import { titleMeta, useI18n, useT } from "~/i18n/i18n";
import type { MessageKey } from "~/i18n/translate";

export const meta: MetaFunction = ({ matches }) => [titleMeta(matches, "admin.users")];

// A list URL is often typed or edited by hand: a bad value falls back to the default, never a 400.
// An absent one takes its default before any check (.default): a caught failure costs zod an issue and its message.
const ListParams = z.object({
  // A NUL matches no name or email, and neither database takes it in a search (FTS5, PostgreSQL text).
  q: z.string().trim().max(200).refine((q) => !q.includes("\u0000")).catch("").default(""),
  sort: z.enum(USER_SORTS).catch("name").default("name"),
  dir: z.enum(["asc", "desc"]).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1).default(1),
  after: rowId().optional().catch(undefined),
  before: rowId().optional().catch(undefined),
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

// No form here; the action runs the guard anyway, so a visitor's POST goes to log in like a GET (not Remix's bare 405).
export async function action({ request, context }: ActionFunctionArgs) {
  await requirePermission({ request, context }, "users:read");
  throw noFormHere();
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

const COLUMNS: { key: UserSort | null; label: MessageKey }[] = [
  { key: "name", label: "form.name" },
  { key: "email", label: "form.email" },
  { key: null, label: "admin.roles" },
  { key: null, label: "profile.status" },
  { key: "created", label: "admin.createdColumn" },
];

function SortHeader({ column, state }: { column: (typeof COLUMNS)[number]; state: ListState }) {
  const t = useT();
  if (!column.key) return <th scope="col">{t(column.label)}</th>;
  const current = state.sort === column.key;
  const next: SortDirection = current ? (state.dir === "asc" ? "desc" : "asc") : DEFAULT_DIRECTION[column.key];
  return (
    <th scope="col" aria-sort={current ? (state.dir === "asc" ? "ascending" : "descending") : undefined}>
      <a href={listHref({ q: state.q, sort: column.key, dir: next })} className="sort-link">
        {t(column.label)}
        <span aria-hidden="true" className="sort-mark">
          {current ? (state.dir === "asc" ? " ▲" : " ▼") : ""}
        </span>
      </a>
    </th>
  );
}

/** Made once per language (Intl formatters are costly to build). */
const numberFormats = { en: new Intl.NumberFormat("en"), es: new Intl.NumberFormat("es") };

function Summary({ total, lowerBound, q }: { total: number; lowerBound: boolean; q: string }) {
  const { t, language } = useI18n();
  const one = total === 1 && !lowerBound;
  const n = numberFormats[language].format(total);
  const count = lowerBound ? t("admin.moreThanUsers", { n }) : one ? t("admin.oneUser") : t("admin.nUsers", { n });
  if (!q) return <p className="list-summary">{count}</p>;
  return (
    <p className="list-summary">
      {`${one ? t("admin.matchesOne", { count, q }) : t("admin.matchesMany", { count, q })} ${lowerBound ? `${t("admin.narrow")} ` : ""}`}
      <Link to={listHref({ q: "", sort: "name", dir: "asc" })}>{t("admin.clearSearch")}</Link>
    </p>
  );
}

export default function AdminUsersPage() {
  const { list, query, canCreate } = useLoaderData<typeof loader>();
  const searching = useNavigation().state === "loading";
  const first = list.users[0];
  const last = list.users.at(-1);
  const { t, language } = useI18n();
  const numberFormat = numberFormats[language];
  const onLinkClick = useLinkClicks();
  return (
    // The list's many links are plain <a>s; this one handler makes their clicks client-side navigations.
    <section aria-labelledby="users-title" className="admin" onClick={onLinkClick}>
      <div className="admin-heading">
        <h1 id="users-title">{t("admin.users")}</h1>
        {canCreate ? (
          <Link to="/admin/users/new" className="button primary">
            {t("admin.newUser")}
          </Link>
        ) : null}
      </div>

      <Form method="get" role="search" className="search-form">
        <label htmlFor="q">{t("admin.searchUsers")}</label>
        <input id="q" name="q" type="search" defaultValue={query.q} placeholder={t("admin.searchPlaceholder")} maxLength={200} />
        {query.sort !== "name" ? <input type="hidden" name="sort" value={query.sort} /> : null}
        {query.dir !== DEFAULT_DIRECTION[query.sort] ? <input type="hidden" name="dir" value={query.dir} /> : null}
        <button type="submit" className="button" disabled={searching}>
          {t("admin.search")}
        </button>
      </Form>

      <Summary total={list.total} lowerBound={list.totalIsLowerBound} q={query.q} />

      {list.users.length === 0 ? (
        <div className="empty-state">
          <p>{query.q ? t("admin.noMatch", { q: query.q }) : t("admin.noUsers")}</p>
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
                    <a href={`/admin/users/${user.id}`}>{user.name}</a>
                  </td>
                  <td>{user.email}</td>
                  <td>{user.roles.join(", ") || t("admin.noRoles")}</td>
                  <td>{user.active ? t("admin.active") : <span className="badge-muted">{t("admin.inactive")}</span>}</td>
                  <td>
                    <Day ms={user.created_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {list.users.length > 0 && (list.hasPrevious || list.hasNext) ? (
        <nav aria-label={t("admin.pagination")} className="pagination">
          <PageLink to={listHref(query)} enabled={list.hasPrevious} label={t("admin.first")} />
          <PageLink
            to={listHref(query, { page: list.page - 1, before: first?.id })}
            enabled={list.hasPrevious}
            label={t("admin.previous")}
            rel="prev"
          />
          <span className="page-position">
            {list.pageCount !== null
              ? t("admin.pageOf", { page: numberFormat.format(list.page), count: numberFormat.format(list.pageCount) })
              : t("pagination.page", { page: numberFormat.format(list.page) })}
          </span>
          <PageLink
            to={listHref(query, { page: list.page + 1, after: last?.id })}
            enabled={list.hasNext}
            label={t("admin.next")}
            rel="next"
          />
          {list.pageCount !== null ? (
            <PageLink to={listHref(query, { page: list.pageCount })} enabled={list.hasNext} label={t("admin.last")} />
          ) : null}
        </nav>
      ) : null}
    </section>
  );
}

/** The day of a moment (UTC), as a <time>. */
function Day({ ms }: { ms: number }) {
  const iso = new Date(ms).toISOString();
  return <time dateTime={iso}>{iso.slice(0, 10)}</time>;
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
    <a href={to} rel={rel} className="page-link">
      {label}
    </a>
  );
}
