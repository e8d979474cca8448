import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { NavLink, Outlet, useLoaderData } from "@remix-run/react";
import { noFormHere, requireUser } from "~/auth/guards.server";
import { titleMeta, useT } from "~/i18n/i18n";

export const meta: MetaFunction = ({ matches }) => [titleMeta(matches, "layout.dashboard")];

// The layout guards itself; each child route guards its own loader and action too.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser({ request, context });
  return { name: user.name };
}

// No form here; the action runs the guard anyway, so a visitor's POST goes to log in like a GET (not Remix's bare 405).
export async function action({ request, context }: ActionFunctionArgs) {
  await requireUser({ request, context });
  throw noFormHere();
}

export default function DashboardLayout() {
  const { name } = useLoaderData<typeof loader>();
  const t = useT();
  return (
    <div className="dashboard">
      <nav aria-label={t("layout.dashboard")} className="subnav">
        <NavLink to="/dashboard" end>
          {t("dashboard.overview")}
        </NavLink>
        <NavLink to="/dashboard/notes">{t("notes.title")}</NavLink>
      </nav>
      <div className="dashboard-body">
        <p className="greeting">{t("dashboard.hello", { name })}</p>
        <Outlet />
      </div>
    </div>
  );
}
