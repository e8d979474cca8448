import { recordActivity } from "~/activity/activity.server";
import { findUserByEmail } from "~/users/users.server";

type Origin = { ip: string; userAgent: string };

/** A successful password login, in the activity log. */
export function recordLoginSucceeded(userId: number, remember: boolean, origin: Origin): Promise<void> {
  return recordActivity({ type: "login_succeeded", actorId: userId, details: { remember } }, origin);
}

/**
 * A failed login, in the activity log: against the account when the email is
 * known (its owner sees it), anonymous otherwise. The typed email is never
 * stored (it may be a password typed into the wrong field).
 */
export async function recordLoginFailed(email: string, origin: Origin): Promise<void> {
  const user = email ? await findUserByEmail(email) : undefined;
  await recordActivity({ type: "login_failed", actorId: null, subjectId: user?.id ?? null }, origin);
}
