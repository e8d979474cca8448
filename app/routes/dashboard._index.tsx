import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { noFormHere, requireAuth } from "~/auth/guards.server";
import { Time } from "~/components/time";
import { useT } from "~/i18n/i18n";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, session } = await requireAuth({ request, context });
  return {
    email: user.email,
    memberSince: user.created_at,
    session: { createdAt: session.created_at, expiresAt: session.expires_at, remember: session.remember === 1 },
  };
}

// No form here; the action runs the guard anyway, so a visitor's POST goes to log in like a GET (not Remix's bare 405).
export async function action({ request, context }: ActionFunctionArgs) {
  await requireAuth({ request, context });
  throw noFormHere();
}


export default function DashboardIndex() {
  const { email, memberSince, session } = useLoaderData<typeof loader>();
  const t = useT();
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">{t("layout.dashboard")}</h1>
      <dl className="facts">
        <dt>{t("form.email")}</dt>
        <dd>{email}</dd>
        <dt>{t("dashboard.memberSince")}</dt>
        <dd><Time ms={memberSince} /></dd>
        <dt>{t("sessions.signedIn")}</dt>
        <dd><Time ms={session.createdAt} /></dd>
        <dt>{t("login.rememberMe")}</dt>
        <dd>{session.remember ? t("sessions.on") : t("sessions.off")}</dd>
        <dt>{t("dashboard.sessionEnds")}</dt>
        <dd><Time ms={session.expiresAt} /></dd>
      </dl>
      <p>
        <Link to="/dashboard/notes">{t("dashboard.yourNotes")}</Link>
      </p>
    </section>
  );
}
