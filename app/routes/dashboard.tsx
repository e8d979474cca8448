import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { NavLink, Outlet, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";

export const meta: MetaFunction = () => [{ title: "Dashboard · Remix Auth Kit" }];

// The layout guards itself; each child route guards its own loader and action too.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser({ request, context });
  return { name: user.name };
}

export default function DashboardLayout() {
  const { name } = useLoaderData<typeof loader>();
  return (
    <div className="dashboard">
      <nav aria-label="Dashboard" className="subnav">
        <NavLink to="/dashboard" end>
          Overview
        </NavLink>
        <NavLink to="/dashboard/notes">Notes</NavLink>
      </nav>
      <div className="dashboard-body">
        <p className="greeting">Hello, {name}.</p>
        <Outlet />
      </div>
    </div>
  );
}
