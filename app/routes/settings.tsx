import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { NavLink, Outlet } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";

export const meta: MetaFunction = () => [{ title: "Settings · Remix Auth Kit" }];

const SECTIONS = [
  ["/settings/profile", "Profile"],
  ["/settings/email", "Email"],
  ["/settings/password", "Password"],
  ["/settings/two-factor", "Two-factor"],
  ["/settings/passkeys", "Passkeys"],
  ["/settings/sessions", "Sessions"],
  ["/settings/connections", "Connections"],
  ["/settings/api-tokens", "API tokens"],
  ["/settings/activity", "Activity"],
  ["/settings/delete-account", "Delete account"],
] as const;

// The layout guards itself; each child route guards its own loader and action too.
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser({ request, context });
  return null;
}

export default function SettingsLayout() {
  return (
    <div className="dashboard">
      <nav aria-label="Settings" className="subnav">
        {SECTIONS.map(([to, label]) => (
          <NavLink key={to} to={to}>
            {label}
          </NavLink>
        ))}
      </nav>
      <div className="dashboard-body">
        <Outlet />
      </div>
    </div>
  );
}
