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
  useLocation,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import { type ReactNode, useEffect, useRef } from "react";
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
              {user.canManageUsers ? (
                <li>
                  <NavLink to="/admin/users">Admin</NavLink>
                </li>
              ) : null}
              <li>
                <AccountMenu user={user} />
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

/**
 * The signed-in person's menu: who they are, their settings, log out. A native
 * <details> disclosure, so it opens without JavaScript too; with JavaScript it
 * also closes on navigation, on Escape and on a click elsewhere.
 */
function AccountMenu({ user }: { user: { name: string; email: string } }) {
  const menu = useRef<HTMLDetailsElement>(null);
  const location = useLocation();
  useEffect(() => {
    if (menu.current) menu.current.open = false;
  }, [location]);
  useEffect(() => {
    const close = (event: Event) => {
      const details = menu.current;
      if (!details?.open) return;
      if (event instanceof KeyboardEvent ? event.key === "Escape" : !details.contains(event.target as Node)) {
        details.open = false;
        if (event instanceof KeyboardEvent) details.querySelector("summary")?.focus();
      }
    };
    document.addEventListener("click", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("click", close);
      document.removeEventListener("keydown", close);
    };
  }, []);
  return (
    <details className="account-menu" ref={menu}>
      <summary>
        <span className="visually-hidden">Account menu, signed in as </span>
        <span className="current-user">{user.name}</span>
      </summary>
      <div className="menu">
        <p className="menu-email">{user.email}</p>
        <ul aria-label="Account">
          <li>
            <Link to="/settings">Settings</Link>
          </li>
          <li>
            <Link to="/settings/sessions">Sessions</Link>
          </li>
          <li>
            <Link to="/settings/activity">Activity</Link>
          </li>
          <li>
            <LogoutButton />
          </li>
        </ul>
      </div>
    </details>
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
