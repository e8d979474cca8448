import type { AppLoadContext } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { requestOrigin } from "~/activity/activity.server";
import { announce } from "~/events/events.server";
import { type Flash, flashCookie, redirectWithFlash } from "~/flash.server";
import { getUser } from "./guards.server";
import { recordLoginSucceeded } from "./login-activity.server";
import { safeRedirect } from "./safe-redirect";
import { clearSessionCookie, readSessionId, serializeSessionCookie } from "./session-cookie.server";
import { type ClientInfo, createSession, deleteSession } from "./sessions.server";
import type { SignInMethod } from "./sign-in-method";
import type { Translate } from "~/i18n/translate";

/**
 * Flask-Login's `login_user` and `logout_user`: the two verbs that start and
 * end a session. Everything else reads the session through the guards.
 */

export function clientInfo(request: Request, context: AppLoadContext): ClientInfo {
  return { userAgent: request.headers.get("User-Agent") ?? "", ip: context.clientIp ?? "" };
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
  if (recordLogin) await recordLoginSucceeded(userId, remember, requestOrigin(request, context), method);
  const previous = await readSessionId(request);
  if (previous) await deleteSession(previous);
  const { id } = await createSession(userId, { remember, method, client: clientInfo(request, context) });
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
