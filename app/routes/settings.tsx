import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { NavLink, Outlet } from "@remix-run/react";
import { noFormHere, requireUser } from "~/auth/guards.server";
import { titleMeta, useT } from "~/i18n/i18n";

export const meta: MetaFunction = ({ matches }) => [titleMeta(matches, "settings.title")];

const SECTIONS = [
  ["/settings/profile", "settings.profile"],
  ["/settings/email", "settings.email"],
  ["/settings/password", "settings.password"],
  ["/settings/two-factor", "settings.twoFactor"],
  ["/settings/passkeys", "settings.passkeys"],
  ["/settings/sessions", "settings.sessions"],
  ["/settings/connections", "settings.connections"],
  ["/settings/api-tokens", "settings.apiTokens"],
  ["/settings/activity", "settings.activity"],
  ["/settings/delete-account", "settings.deleteAccount"],
] as const;

// The layout guards itself; each child route guards its own loader and action too.
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser({ request, context });
  return null;
}

// No form here; the action runs the guard anyway, so a visitor's POST goes to log in like a GET (not Remix's bare 405).
export async function action({ request, context }: ActionFunctionArgs) {
  await requireUser({ request, context });
  throw noFormHere();
}

export default function SettingsLayout() {
  const t = useT();
  return (
    <div className="dashboard">
      <nav aria-label={t("settings.title")} className="subnav">
        {SECTIONS.map(([to, label]) => (
          <NavLink key={to} to={to}>
            {t(label)}
          </NavLink>
        ))}
      </nav>
      <div className="dashboard-body">
        <Outlet />
      </div>
    </div>
  );
}
