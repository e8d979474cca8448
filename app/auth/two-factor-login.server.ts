import { createCookie, redirect } from "@remix-run/node";
import { getConfig } from "~/config.server";

/**
 * Between the password and the second factor, a login is pending: a short-lived
 * signed cookie says whose password was right (and the remember-me choice and
 * where to go next). It is not a session: the guards never read it, so every
 * protected route stays closed until the code is entered.
 */

export const PENDING_LOGIN_MAX_AGE_MS = 10 * 60 * 1000;
export const TWO_FACTOR_PATH = "/login/two-factor";

export type PendingLogin = { userId: number; remember: boolean; redirectTo: string | null; expiresAt: number };

let cookie: ReturnType<typeof createCookie> | undefined;

function pendingCookie() {
  const config = getConfig();
  cookie ??= createCookie(`${config.sessionCookieName}_2fa`, {
    httpOnly: true,
    sameSite: "lax",
    path: "/login",
    secure: config.sessionCookieSecure,
    secrets: config.sessionSecrets,
    maxAge: PENDING_LOGIN_MAX_AGE_MS / 1000,
  });
  return cookie;
}

/** After a correct password for a user with two-factor: remember the pending login and ask for the code. */
export async function redirectToSecondFactor(
  { userId, remember, redirectTo }: { userId: number; remember: boolean; redirectTo?: string | null },
  now = Date.now(),
): Promise<Response> {
  const pending: PendingLogin = { userId, remember, redirectTo: redirectTo ?? null, expiresAt: now + PENDING_LOGIN_MAX_AGE_MS };
  return redirect(TWO_FACTOR_PATH, { headers: { "Set-Cookie": await pendingCookie().serialize(pending) } });
}

/** The request's pending login, or null when there is none, it is forged, or it is older than 10 minutes. */
export async function readPendingLogin(request: Request, now = Date.now()): Promise<PendingLogin | null> {
  let value: unknown;
  try {
    value = await pendingCookie().parse(request.headers.get("Cookie"));
  } catch {
    return null;
  }
  const p = value as Partial<PendingLogin> | null;
  if (!p || typeof p !== "object" || !Number.isSafeInteger(p.userId) || typeof p.expiresAt !== "number") return null;
  // The signed expiry counts, not the browser's: a kept cookie is no good after it.
  if (now >= p.expiresAt) return null;
  return {
    userId: p.userId!,
    remember: p.remember === true,
    redirectTo: typeof p.redirectTo === "string" ? p.redirectTo : null,
    expiresAt: p.expiresAt,
  };
}

/** A Set-Cookie value that ends the pending login. */
export function clearPendingLoginCookie(): Promise<string> {
  return pendingCookie().serialize("", { maxAge: 0, expires: new Date(0) });
}
