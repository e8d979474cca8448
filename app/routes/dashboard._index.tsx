import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireAuth } from "~/auth/guards.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, session } = await requireAuth({ request, context });
  return {
    email: user.email,
    memberSince: user.created_at,
    session: { createdAt: session.created_at, expiresAt: session.expires_at, remember: session.remember === 1 },
  };
}

function formatTime(ms: number) {
  return new Date(ms).toISOString().replace("T", " ").slice(0, 16) + " UTC";
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
        <dd>{formatTime(memberSince)}</dd>
        <dt>Signed in</dt>
        <dd>{formatTime(session.createdAt)}</dd>
        <dt>Remember me</dt>
        <dd>{session.remember ? "On" : "Off"}</dd>
        <dt>Session ends at the latest</dt>
        <dd>{formatTime(session.expiresAt)}</dd>
      </dl>
      <p>
        <Link to="/dashboard/notes">Your notes</Link>
      </p>
    </section>
  );
}
