import type { AppLoadContext } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { requestOrigin } from "~/activity/activity.server";
import { announce } from "~/events/events.server";
import { findUserById } from "~/users/users.server";
import type { Auth } from "./guards.server";
import { verifyPassword } from "./password.server";
import { startAttempt } from "./rate-limit.server";
import { safeRedirect } from "./safe-redirect";
import { serializeSessionCookie } from "./session-cookie.server";
import { rotateSession } from "./sessions.server";

/**
 * Flask-Login's refresh: the signed-in user proves it is still them by entering
 * the password. On success the session gets a new id and counts as fresh.
 */
export async function checkCurrentPassword(userId: number, password: string): Promise<boolean> {
  const user = await findUserById(userId);
  return user ? verifyPassword(password, user.password_hash) : false;
}

/**
 * A settings form's current password (changing the password, deleting the
 * account): a try counted against the same limits as a login's and
 * /reauthenticate's, so that a borrowed fresh session cannot guess at it
 * freely, and a wrong one is in the activity log. Throws the 429 Response
 * while the account or the address is locked out.
 */
export async function confirmCurrentPassword(
  request: Request,
  context: AppLoadContext,
  user: { id: number; email: string },
  password: string,
): Promise<boolean> {
  const origin = requestOrigin(request, context);
  const attempt = await startAttempt("password", { account: user.email, address: context.clientIp, subjectId: user.id }, origin);
  if (!(await checkCurrentPassword(user.id, password))) {
    await attempt.failed();
    await announce({ type: "reauthentication_failed", actorId: user.id }, origin);
    return false;
  }
  await attempt.succeeded();
  return true;
}

/** Marks the session fresh under a new id and redirects; the caller has checked the password (and any second factor) or a passkey. */
export async function completeReauthentication(
  request: Request,
  context: AppLoadContext,
  auth: Auth,
  redirectTo: string | undefined,
  { factor = "password" }: { factor?: "password" | "passkey" } = {},
): Promise<Response> {
  // The redirect is built before the session id changes, so nothing after the rotation can fail on the link's input
  // (a failure there would leave the browser with a dead cookie: a crafted link would sign the victim out).
  const location = safeRedirect(redirectTo);
  const origin = requestOrigin(request, context);
  const sid = await rotateSession(auth.session, { fresh: true, client: origin, presentedId: auth.sessionId });
  const headers: HeadersInit = sid === null ? {} : { "Set-Cookie": await serializeSessionCookie(sid, auth.session.remember === 1) };
  const details = factor === "password" ? undefined : { with: factor };
  await announce({ type: "reauthenticated", actorId: auth.user.id, details }, origin);
  return redirect(location, { headers });
}
