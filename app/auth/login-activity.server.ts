import type { ActivityOrigin } from "~/activity/activity.server";
import { announce } from "~/events/events.server";
import { findUserByEmail } from "~/users/users.server";
import type { SignInMethod } from "./sign-in-method";

/** A successful sign-in, in the activity log, with how it was made (app/auth/sign-in-method.ts). */
export function recordLoginSucceeded(userId: number, remember: boolean, origin: ActivityOrigin, method: SignInMethod = "password"): Promise<void> {
  return announce({ type: "login_succeeded", actorId: userId, details: { remember, method } }, origin);
}

/**
 * A failed login, in the activity log: against the account when the email is
 * known (its owner sees it), anonymous otherwise. The typed email is never
 * stored (it may be a password typed into the wrong field).
 */
export async function recordLoginFailed(email: string, origin: ActivityOrigin): Promise<void> {
  const user = email ? await findUserByEmail(email) : undefined;
  await announce({ type: "login_failed", actorId: null, subjectId: user?.id ?? null }, origin);
}
