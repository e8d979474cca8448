import type { AppLoadContext } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { requestOrigin } from "~/activity/activity.server";
import { getConfig } from "~/config.server";
import { announce } from "~/events/events.server";
import { type Flash, flashCookie, redirectWithFlash } from "~/flash.server";
import { getUser } from "./guards.server";
import { safeRedirect } from "./safe-redirect";
import { clearSessionCookie, readSessionId, serializeSessionCookie } from "./session-cookie.server";
import { createSession, deleteSession } from "./sessions.server";
import type { FirstFactor, SignInMethod } from "./sign-in-method";
import { isTwoFactorEnabled } from "./two-factor.server";
import { redirectToSecondFactor } from "./two-factor-login.server";
import type { Translate } from "~/i18n/translate";

/**
 * Flask-Login's `login_user` and `logout_user`: the two verbs that start and
 * end a session, and `completeSignIn`, which every first factor ends with.
 * Everything else reads the session through the guards.
 */

/**
 * A first factor has vouched for `userId` (a password, a passkey, a sign-in
 * provider): decides what follows, in one place for every way in. A user with
 * two-factor on gives their code first (a pending login, then the code step's
 * loginUser) after a password, or after a provider when OIDC_REQUIRE_TOTP is
 * on; a passkey with user verification is two factors in one. Anyone else gets
 * a session now.
 */
export async function completeSignIn(
  request: Request,
  context: AppLoadContext,
  { userId, remember, redirectTo, method }: { userId: number; remember: boolean; redirectTo?: string | null; method: FirstFactor },
): Promise<Response> {
  if (asksForCode(method) && (await isTwoFactorEnabled(userId))) return redirectToSecondFactor({ userId, remember, redirectTo, method });
  return loginUser(request, context, { userId, remember, redirectTo, method });
}

/** Whether a sign-in that began with `method` asks a user who has two-factor on for their code. */
function asksForCode(method: FirstFactor): boolean {
  if (method === "passkey") return false;
  if (method.startsWith("oidc:")) return getConfig().oidcRequireTotp;
  return true;
}

/**
 * Starts a new session for `userId` and redirects to `redirectTo` (when it is
 * a same-site path) or the dashboard. Any session the browser already had is
 * deleted first, so a pre-login cookie value is dead afterwards (no fixation).
 * Like Flask-Login's `user_logged_in` signal, the sign-in is recorded here,
 * once for every way in (password, code, passkey, provider: `method`); a
 * registration, recorded as such, passes `recordLogin: false`.
 */
export async function loginUser(
  request: Request,
  context: AppLoadContext,
  {
    userId,
    remember,
    redirectTo,
    flash,
    method = "password",
    recordLogin = true,
  }: { userId: number; remember: boolean; redirectTo?: string | null; flash?: Flash; method?: SignInMethod; recordLogin?: boolean },
): Promise<Response> {
  // Decided before the session changes: nothing after this point may fail on user input.
  const location = safeRedirect(redirectTo);
  const origin = requestOrigin(request, context);
  if (recordLogin) await announce({ type: "login_succeeded", actorId: userId, details: { remember, method } }, origin);
  const previous = await readSessionId(request);
  if (previous) await deleteSession(previous);
  const { id } = await createSession(userId, { remember, method, client: origin });
  const headers = new Headers({ "Set-Cookie": await serializeSessionCookie(id, remember) });
  if (flash) headers.append("Set-Cookie", await flashCookie(flash));
  return redirect(location, { headers });
}

/** Deletes the server-side session (a replayed cookie is then anonymous), clears the cookie, and records the logout (Flask-Login's `user_logged_out`). */
export async function logoutUser(request: Request, context: AppLoadContext, t: Translate, redirectTo = "/"): Promise<Response> {
  const user = getUser({ context });
  if (user) await announce({ type: "logout", actorId: user.id }, requestOrigin(request, context));
  const sid = await readSessionId(request);
  if (sid) await deleteSession(sid);
  return redirectWithFlash(
    redirectTo,
    { category: "success", message: t("login.loggedOut") },
    { headers: { "Set-Cookie": await clearSessionCookie() } },
  );
}
