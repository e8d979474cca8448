import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { activityLabel, describeDetails } from "~/activity/activity-labels";
import { listActivity } from "~/activity/list-activity.server";
import { describeUserAgent } from "~/auth/devices.server";
import { requireUser } from "~/auth/guards.server";
import { Pagination } from "~/components/pagination";
import { Time } from "~/components/time";
import { providerLabel } from "~/auth/oidc/providers.server";

export const meta: MetaFunction = () => [{ title: "Activity · Remix Auth Kit" }];

const PageSchema = z.coerce.number().int().min(1).max(100_000).catch(1);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser({ request, context });
  const page = PageSchema.parse(new URL(request.url).searchParams.get("page") ?? undefined);
  const { entries, hasNext } = await listActivity({ userId: user.id, page });
  return {
    page,
    hasNext,
    entries: entries.map((entry) => ({
      id: entry.id,
      createdAt: entry.createdAt,
      label: activityLabel(entry.type),
      details: describeDetails(entry.details, providerLabel),
      // Someone else acted on this account: an administrator (their address is not shown to the user).
      byOther: entry.actorId !== null && entry.actorId !== user.id,
      ip: entry.ip,
      browser: entry.userAgent ? describeUserAgent(entry.userAgent) : "",
    })),
  };
}

export default function ActivityPage() {
  const { entries, page, hasNext } = useLoaderData<typeof loader>();
  return (
    <section aria-labelledby="activity-title">
      <h1 id="activity-title">Activity</h1>
      <p>Security events on your account, newest first.</p>
      {entries.length === 0 ? (
        <p>No activity{page > 1 ? " on this page" : " yet"}.</p>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Activity entries">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col">Address</th>
                <th scope="col">Browser</th>
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
                    {entry.byOther ? " (by an administrator)" : ""}
                    {entry.details ? <span className="hint"> {entry.details}</span> : null}
                  </td>
                  <td className="nowrap">{entry.ip}</td>
                  <td>{entry.browser}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination page={page} hasNext={hasNext} />
    </section>
  );
}
