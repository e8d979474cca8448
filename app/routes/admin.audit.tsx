import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ACTIVITY_LABEL_KEYS, activityLabel, describeDetails } from "~/activity/activity-labels";
import type { ActivityType } from "~/activity/activity.server";
import { listActivity } from "~/activity/list-activity.server";
import { describeUserAgent } from "~/auth/devices.server";
import { noFormHere, requirePermission } from "~/auth/guards.server";
import { parseForm } from "~/auth/validation";
import { Field } from "~/components/field";
import { Pagination } from "~/components/pagination";
import { findUserByEmail, findUserById } from "~/users/users.server";
import { rowId } from "~/utils/row-id";
import { Time } from "~/components/time";
import { providerLabel } from "~/auth/oidc/providers.server";
import { i18nOf } from "~/i18n/i18n.server";
import { titleMeta, useT } from "~/i18n/i18n";
import { TableFrame } from "~/components/table-frame";

export const meta: MetaFunction = ({ matches }) => [titleMeta(matches, "audit.title")];

// From the labels (a browser-safe module that names every type), since this file also runs in the browser.
const EVENT_TYPES = Object.keys(ACTIVITY_LABEL_KEYS) as [ActivityType, ...ActivityType[]];

const AuditFilterSchema = z.object({
  user: z.string().trim().max(254, "audit.userInvalid").default(""),
  type: z
    .union([z.enum(EVENT_TYPES), z.literal("")], { message: "audit.typeInvalid" })
    .default(""),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});

const FilterUserId = rowId();

/** The user a filter names: a numeric id, or an email. */
async function findFilterUser(value: string) {
  if (!/^\d+$/.test(value)) return findUserByEmail(value);
  const id = FilterUserId.safeParse(value);
  return id.success ? findUserById(id.data) : undefined;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission({ request, context }, "audit:read");
  const url = new URL(request.url);
  const form = new FormData();
  for (const [key, value] of url.searchParams) form.append(key, value);
  const { t } = i18nOf({ request, context });
  const parsed = parseForm(form, AuditFilterSchema, t);
  const filters = { user: url.searchParams.get("user") ?? "", type: url.searchParams.get("type") ?? "" };
  if (!parsed.success) {
    return data({ filters, fieldErrors: parsed.errors, notice: null, page: 1, hasNext: false, entries: [] }, { status: 400 });
  }
  const { user, type, page } = parsed.data;
  const subject = user ? await findFilterUser(user) : undefined;
  if (user && !subject) {
    return { filters, fieldErrors: {} as Record<string, string>, notice: t("audit.noUser", { user }), page: 1, hasNext: false, entries: [] };
  }
  const result = await listActivity({ userId: subject?.id, type: type || undefined, page });
  return {
    filters: { user, type },
    fieldErrors: {} as Record<string, string>,
    notice: null,
    page: result.page,
    hasNext: result.hasNext,
    entries: result.entries.map((entry) => ({
      id: entry.id,
      createdAt: entry.createdAt,
      type: entry.type,
      label: activityLabel(entry.type, t),
      actor: entry.actorEmail ?? (entry.actorId === null ? "—" : t("audit.userId", { id: entry.actorId })),
      subject: entry.subjectEmail ?? (entry.subjectId === null ? "—" : t("audit.userId", { id: entry.subjectId })),
      ip: entry.ip,
      browser: entry.userAgent ? describeUserAgent(entry.userAgent, t) : "",
      details: describeDetails(entry.details, t, providerLabel),
    })),
  };
}

// No form here; the action runs the guard anyway, so a visitor's POST goes to log in like a GET (not Remix's bare 405).
export async function action({ request, context }: ActionFunctionArgs) {
  await requirePermission({ request, context }, "audit:read");
  throw noFormHere();
}

export default function AuditPage() {
  const { filters, fieldErrors, notice, entries, page, hasNext } = useLoaderData<typeof loader>();
  const t = useT();
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">{t("audit.title")}</h1>
      <Form method="get" className="filters" role="search" aria-label={t("audit.filterLabel")}>
        <Field
          label={t("audit.user")}
          name="user"
          type="search"
          autoComplete="off"
          defaultValue={filters.user}
          error={fieldErrors.user}
        />
        <div className="field">
          <label htmlFor="type">{t("audit.type")}</label>
          <select
            id="type"
            name="type"
            defaultValue={filters.type}
            aria-invalid={fieldErrors.type ? true : undefined}
            aria-describedby={fieldErrors.type ? "type-error" : undefined}
          >
            <option value="">{t("audit.allEvents")}</option>
            {EVENT_TYPES.map((type) => (
              <option key={type} value={type}>
                {t(ACTIVITY_LABEL_KEYS[type])}
              </option>
            ))}
          </select>
          {fieldErrors.type ? (
            <p id="type-error" className="field-error">
              {fieldErrors.type}
            </p>
          ) : null}
        </div>
        <button type="submit" className="button">
          {t("audit.filter")}
        </button>
      </Form>
      {notice ? <p className="muted-note">{notice}</p> : null}
      {entries.length === 0 ? (
        notice ? null : <p>{t("audit.none")}</p>
      ) : (
        <TableFrame label={t("audit.entries")}>
          <table className="data-table wide">
            <thead>
              <tr>
                <th scope="col">{t("activityPage.when")}</th>
                <th scope="col">{t("activityPage.event")}</th>
                <th scope="col">{t("audit.actor")}</th>
                <th scope="col">{t("audit.subject")}</th>
                <th scope="col">{t("activityPage.address")}</th>
                <th scope="col">{t("activityPage.browser")}</th>
                <th scope="col">{t("audit.details")}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id} data-type={entry.type}>
                  <td className="nowrap">
                    <Time ms={entry.createdAt} />
                  </td>
                  <td>{entry.label}</td>
                  <td>{entry.actor}</td>
                  <td>{entry.subject}</td>
                  <td className="nowrap">{entry.ip}</td>
                  <td className="browser">{entry.browser}</td>
                  <td className="details">{entry.details}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      )}
      <Pagination page={page} hasNext={hasNext} params={{ user: filters.user, type: filters.type }} />
    </section>
  );
}
