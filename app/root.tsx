import type { HeadersFunction, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
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
import { type ReactNode, useEffect, useLayoutEffect, useRef } from "react";
import { getUser } from "~/auth/guards.server";
import { hasPermission } from "~/auth/permissions";
import { FlashMessage } from "~/components/flash-message";
import { LanguageSwitch } from "~/components/language-switch";
import { I18nProvider, type I18n, useI18n, useLanguageTranslations } from "~/i18n/i18n";
import { languageOf } from "~/i18n/i18n.server";
import { DEFAULT_LANGUAGE } from "~/i18n/languages";
import { LogoutButton } from "~/components/logout-button";
import { useNonce } from "~/components/nonce";
import { takeFlash } from "~/flash.server";
import stylesheet from "~/styles/app.css";
import type { MessageKey } from "~/i18n/translate";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

// An error page has its own <title> (the ErrorBoundary's Document): one title, not two.
export const meta: MetaFunction = ({ error }) => (error ? [] : [{ title: "Remix Auth Kit" }]);

const NO_HEADERS: Record<string, string> = {};

/** The root's error page keeps the Allow header of a 405 that a screen without a form threw (noFormHere). */
export const headers: HeadersFunction = ({ errorHeaders }) => {
  const allow = errorHeaders?.get("Allow");
  return allow ? { Allow: allow } : NO_HEADERS;
};


export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = getUser({ context });
  const { flash, setCookie } = await takeFlash(request);
  return data(
    {
      user: user && { name: user.name, email: user.email, canManageUsers: hasPermission(user, "users:read") },
      flash,
      language: languageOf(request, user),
    },
    setCookie ? { headers: { "Set-Cookie": setCookie } } : undefined,
  );
}

function Document({ children, title, i18n }: { children: ReactNode; title?: string; i18n: I18n }) {
  const nonce = useNonce();
  return (
    <I18nProvider value={i18n}>
    <html lang={i18n.language}>
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
    </I18nProvider>
  );
}

function Header({ user }: { user: { name: string; email: string; canManageUsers?: boolean } | null }) {
  const { t } = useI18n();
  return (
    <header className="site-header">
      <a className="skip-link" href="#main">
        {t("layout.skipToContent")}
      </a>
      <nav aria-label={t("layout.mainNav")}>
        <Link to="/" className="brand">
          {t("app.name")}
        </Link>
        <ul>
          {user ? (
            <>
              <li>
                <NavLink to="/dashboard">{t("layout.dashboard")}</NavLink>
              </li>
              {user.canManageUsers ? (
                <li>
                  <NavLink to="/admin/users">{t("layout.admin")}</NavLink>
                </li>
              ) : null}
              <li>
                <LanguageSwitch />
              </li>
              {/* Last, so it is the stop just before the page's content. */}
              <li>
                <AccountMenu user={user} />
              </li>
            </>
          ) : (
            <>
              <li>
                <Link to="/login">{t("layout.logIn")}</Link>
              </li>
              <li>
                <Link to="/register">{t("layout.register")}</Link>
              </li>
              <li>
                <LanguageSwitch />
              </li>
            </>
          )}
        </ul>
      </nav>
    </header>
  );
}

/** useLayoutEffect in the browser; on the server, where neither runs, useEffect (React 18 warns about the other there). */
const useClientLayoutEffect = typeof document === "undefined" ? useEffect : useLayoutEffect;

/**
 * The signed-in person's menu: who they are, their settings, log out. A native
 * <details> disclosure, so it opens without JavaScript too; with JavaScript it
 * also closes on navigation, on Escape and on a click elsewhere.
 */
function AccountMenu({ user }: { user: { name: string; email: string } }) {
  const { t } = useI18n();
  const menu = useRef<HTMLDetailsElement>(null);
  const location = useLocation();
  // Closed in the commit that shows the new page, not in an effect after it
  // is painted: a menu opened on the new page could otherwise close under the hand.
  useClientLayoutEffect(() => {
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
        <span className="visually-hidden">{t("layout.accountMenu")}</span>
        <span className="current-user">{user.name}</span>
      </summary>
      <div className="menu">
        <p className="menu-email">{user.email}</p>
        <ul aria-label={t("layout.account")}>
          <li>
            <Link to="/settings">{t("layout.settings")}</Link>
          </li>
          <li>
            <Link to="/settings/sessions">{t("layout.sessions")}</Link>
          </li>
          <li>
            <Link to="/settings/activity">{t("layout.activity")}</Link>
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
  const { user, flash, language } = useLoaderData<typeof loader>();
  const i18n = useLanguageTranslations(language);
  return (
    <Document i18n={i18n}>
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
  const i18n = useLanguageTranslations(rootData?.language ?? DEFAULT_LANGUAGE);
  const { t } = i18n;
  let title = t("error.title");
  let message = t("error.message");
  if (isRouteErrorResponse(error)) {
    if (error.status === 404) {
      title = t("error.notFoundTitle");
      message = t("error.notFoundMessage");
    } else if (error.status === 403) {
      title = t("error.forbiddenTitle");
      message = t("error.forbiddenMessage");
    } else {
      title = `${error.status} ${error.statusText}`;
      // A thrown text may be a catalog key (said in the page's language) or a text already translated (kept as it is).
      message = typeof error.data === "string" && error.data ? t(error.data as MessageKey) : message;
    }
  }
  return (
    <Document title={title} i18n={i18n}>
      <Header user={rootData?.user ?? null} />
      <main id="main" tabIndex={-1}>
        <h1>{title}</h1>
        <p>{message}</p>
        <p>
          <Link to="/">{t("error.home")}</Link>
        </p>
      </main>
    </Document>
  );
}
