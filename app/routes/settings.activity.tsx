import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { activityLabel, describeDetails } from "~/activity/activity-labels";
import { listActivity } from "~/activity/list-activity.server";
import { describeUserAgent } from "~/auth/devices.server";
import { noFormHere, requireUser } from "~/auth/guards.server";
import { Pagination } from "~/components/pagination";
import { Time } from "~/components/time";
import { providerLabel } from "~/auth/oidc/providers.server";
import { titleMeta, useT } from "~/i18n/i18n";
import { i18nOf } from "~/i18n/i18n.server";
import { TableFrame } from "~/components/table-frame";

export const meta: MetaFunction = ({ matches }) => [titleMeta(matches, "settings.activity")];

const PageSchema = z.coerce.number().int().min(1).max(100_000).catch(1).default(1);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser({ request, context });
  const page = PageSchema.parse(new URL(request.url).searchParams.get("page") ?? undefined);
  const { entries, hasNext } = await listActivity({ userId: user.id, page });
  const { t } = i18nOf({ request, context });
  return {
    page,
    hasNext,
    entries: entries.map((entry) => ({
      id: entry.id,
      createdAt: entry.createdAt,
      label: activityLabel(entry.type, t),
      details: describeDetails(entry.details, t, providerLabel),
      // Someone else acted on this account: an administrator (their address is not shown to the user).
      byOther: entry.actorId !== null && entry.actorId !== user.id,
      ip: entry.ip,
      browser: entry.userAgent ? describeUserAgent(entry.userAgent, t) : "",
    })),
  };
}

// No form here; the action runs the guard anyway, so a visitor's POST goes to log in like a GET (not Remix's bare 405).
export async function action({ request, context }: ActionFunctionArgs) {
  await requireUser({ request, context });
  throw noFormHere();
}

export default function ActivityPage() {
  const { entries, page, hasNext } = useLoaderData<typeof loader>();
  const t = useT();
  return (
    <section aria-labelledby="activity-title">
      <h1 id="activity-title">{t("settings.activity")}</h1>
      <p>{t("activityPage.intro")}</p>
      {entries.length === 0 ? (
        <p>{page > 1 ? t("activityPage.noneOnPage") : t("activityPage.noneYet")}</p>
      ) : (
        <TableFrame label={t("activityPage.entries")}>
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">{t("activityPage.when")}</th>
                <th scope="col">{t("activityPage.event")}</th>
                <th scope="col">{t("activityPage.address")}</th>
                <th scope="col">{t("activityPage.browser")}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id}>
                  <td className="nowrap">
                    <Time ms={entry.createdAt} />
                  </td>
                  <td>
                    {entry.label}
                    {entry.byOther ? ` ${t("activityPage.byAdmin")}` : ""}
                    {entry.details ? <span className="hint"> {entry.details}</span> : null}
                  </td>
                  <td className="nowrap">{entry.ip}</td>
                  <td>{entry.browser}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      )}
      <Pagination page={page} hasNext={hasNext} />
    </section>
  );
}
