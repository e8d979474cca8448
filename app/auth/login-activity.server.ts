import type { ActivityOrigin } from "~/activity/activity.server";
import { announce } from "~/events/events.server";
import { findUserByEmail } from "~/users/users.server";

/**
 * A failed login, in the activity log: against the account when the email is
 * known (its owner sees it), anonymous otherwise. The typed email is never
 * stored (it may be a password typed into the wrong field).
 */
export async function recordLoginFailed(email: string, origin: ActivityOrigin): Promise<void> {
  const user = email ? await findUserByEmail(email) : undefined;
  await announce({ type: "login_failed", actorId: null, subjectId: user?.id ?? null }, origin);
}
