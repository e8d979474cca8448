import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireAuth } from "~/auth/guards.server";
import { Time } from "~/components/time";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, session } = await requireAuth({ request, context });
  return {
    email: user.email,
    memberSince: user.created_at,
    session: { createdAt: session.created_at, expiresAt: session.expires_at, remember: session.remember === 1 },
  };
}


export default function DashboardIndex() {
  const { email, memberSince, session } = useLoaderData<typeof loader>();
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Dashboard</h1>
      <dl className="facts">
        <dt>Email</dt>
        <dd>{email}</dd>
        <dt>Member since</dt>
        <dd><Time ms={memberSince} /></dd>
        <dt>Signed in</dt>
        <dd><Time ms={session.createdAt} /></dd>
        <dt>Remember me</dt>
        <dd>{session.remember ? "On" : "Off"}</dd>
        <dt>Session ends at the latest</dt>
        <dd><Time ms={session.expiresAt} /></dd>
      </dl>
      <p>
        <Link to="/dashboard/notes">Your notes</Link>
      </p>
    </section>
  );
}
