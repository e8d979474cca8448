import { type ActivityOrigin, scrubActivityOf } from "~/activity/activity.server";
import type { Auth } from "~/auth/guards.server";
import { hashPassword } from "~/auth/password.server";
import { rotateSession } from "~/auth/sessions.server";
import { db } from "~/db.server";
import { announce, announcingTransaction } from "~/events/events.server";
import { deleteUserWithin } from "~/users/users.server";
import { revokeAccountLinks } from "./tokens.server";

/** What a signed-in user changes about their own account: name, password, and the account's end. */

export async function updateName(userId: number, name: string, now = Date.now()): Promise<void> {
  await db.updateTable("users").set({ name: name.trim(), updated_at: now }).where("id", "=", userId).execute();
}

/**
 * Sets a new password (the caller has checked the current one): every other
 * session ends, every outstanding account link dies (reset, confirmation,
 * email change), and this session continues under a new id, which is
 * returned for the cookie (null: keep the cookie; rotateSession says when).
 */
export async function changePassword(
  auth: Auth,
  newPassword: string,
  origin: ActivityOrigin,
  { now = Date.now(), language = null }: { now?: number; /** The notice's language when the user chose none. */ language?: string | null } = {},
): Promise<string | null> {
  const { user, session, sessionId } = auth;
  const passwordHash = await hashPassword(newPassword);
  const ended = await db.transaction().execute(async (trx) => {
    await trx.updateTable("users").set({ password_hash: passwordHash, updated_at: now }).where("id", "=", user.id).execute();
    // A link someone else asked for (an email change, say) must not outlive the owner taking the account back.
    await revokeAccountLinks(trx, user.id, now);
    const result = await trx
      .deleteFrom("sessions")
      .where("user_id", "=", user.id)
      .where("public_id", "!=", session.public_id)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  });
  const sid = await rotateSession(session, { fresh: true, presentedId: sessionId, now });
  await announce({ type: "password_changed", actorId: user.id, details: { otherSessionsEnded: ended } }, origin, { now, language });
  return sid;
}

/**
 * Deletes the account: its sessions, tokens and notes go with it (ON DELETE
 * CASCADE); its activity entries stay, without anything that identifies it.
 */
export async function deleteAccount(user: { id: number; email: string; name: string }, origin: ActivityOrigin, now = Date.now()): Promise<void> {
  // One transaction: the last active admin is refused (LastAdminError) and nothing is written.
  await announcingTransaction(async (trx) => {
    await announce({ type: "account_deleted", actorId: user.id }, origin, { now, within: trx });
    await scrubActivityOf(user, trx);
    await deleteUserWithin(trx, user.id);
  });
}
