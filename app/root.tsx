import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Link,
  Links,
  Meta,
  NavLink,
  Outlet,
  Scripts,
  LiveReload,
  ScrollRestoration,
  useLoaderData,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { getUser } from "~/auth/guards.server";
import { hasPermission } from "~/auth/permissions";
import { FlashMessage } from "~/components/flash-message";
import { LogoutButton } from "~/components/logout-button";
import { useNonce } from "~/components/nonce";
import { takeFlash } from "~/flash.server";
import stylesheet from "~/styles/app.css";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "Remix Auth Kit" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = getUser({ context });
  const { flash, setCookie } = await takeFlash(request);
  return data(
    { user: user && { name: user.name, email: user.email, canManageUsers: hasPermission(user, "users:read") }, flash },
    setCookie ? { headers: { "Set-Cookie": setCookie } } : undefined,
  );
}

function Document({ children, title }: { children: ReactNode; title?: string }) {
  const nonce = useNonce();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {title ? <title>{title}</title> : null}
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
        {/* Development only (renders nothing in production): reloads the page after `npm run dev` rebuilds. */}
        <LiveReload nonce={nonce} />
      </body>
    </html>
  );
}

function Header({ user }: { user: { name: string; email: string; canManageUsers?: boolean } | null }) {
  return (
    <header className="site-header">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav aria-label="Main">
        <Link to="/" className="brand">
          Remix Auth Kit
        </Link>
        <ul>
          {user ? (
            <>
              <li>
                <NavLink to="/dashboard">Dashboard</NavLink>
              </li>
              <li>
                <NavLink to="/settings">Settings</NavLink>
              </li>
              {user.canManageUsers ? (
                <li>
                  <NavLink to="/admin/users">Admin</NavLink>
                </li>
              ) : null}
              <li className="current-user" aria-label="Signed in as">
                {user.name}
              </li>
              <li>
                <LogoutButton />
              </li>
            </>
          ) : (
            <>
              <li>
                <Link to="/login">Log in</Link>
              </li>
              <li>
                <Link to="/register">Register</Link>
              </li>
            </>
          )}
        </ul>
      </nav>
    </header>
  );
}

export default function App() {
  const { user, flash } = useLoaderData<typeof loader>();
  return (
    <Document>
      <Header user={user} />
      <main id="main" tabIndex={-1}>
        <FlashMessage flash={flash} />
        <Outlet />
      </main>
    </Document>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const rootData = useRouteLoaderData<typeof loader>("root");
  let title = "Something went wrong";
  let message = "An unexpected error occurred. Please try again.";
  if (isRouteErrorResponse(error)) {
    if (error.status === 404) {
      title = "Page not found";
      message = "There is nothing at this address.";
    } else if (error.status === 403) {
      title = "Forbidden";
      message = "You do not have permission to see this page.";
    } else {
      title = `${error.status} ${error.statusText}`;
      message = typeof error.data === "string" && error.data ? error.data : message;
    }
  }
  return (
    <Document title={title}>
      <Header user={rootData?.user ?? null} />
      <main id="main" tabIndex={-1}>
        <h1>{title}</h1>
        <p>{message}</p>
        <p>
          <Link to="/">Go to the home page</Link>
        </p>
      </main>
    </Document>
  );
}
