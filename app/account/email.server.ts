import type { ActivityOrigin } from "~/activity/activity.server";
import { getConfig } from "~/config.server";
import { db, type User } from "~/db.server";
import { announce } from "~/events/events.server";
import { MailDeliveryError, sendMail } from "~/mail/mailer.server";
import { emailChangeConfirmationMail, emailChangeNoticeMail, emailConfirmationMail } from "~/mail/templates.server";
import { EmailTakenError, findUserByEmail, isUniqueViolation } from "~/users/users.server";
import { issueToken, markTokenUsed, revokeAccountLinks, revokeTokens, type TokenCheck } from "./tokens.server";

/**
 * Email addresses: confirming the one an account has, and changing it. A new
 * address takes effect only once a link sent to it is opened; until then the
 * old one stays, and it is told about the request.
 */

/**
 * Sends (or sends again) the link that confirms the user's current address, in `user.language`
 * (the caller puts the request's language there when the user chose none). Throws MailDeliveryError.
 */
export async function sendEmailConfirmation(
  user: Pick<User, "id" | "email" | "name" | "password_hash"> & { language?: string | null },
  now = Date.now(),
): Promise<void> {
  const { emailTokenMaxAge } = getConfig();
  const token = await issueToken(user, "email_confirmation", { email: user.email, maxAge: emailTokenMaxAge, now });
  await sendMail(emailConfirmationMail({ to: user.email, name: user.name, token, expiresIn: emailTokenMaxAge, language: user.language }));
}

/**
 * Starts a change of address: a confirmation link to the new address, a
 * notice to the old one. Throws EmailTakenError when another account uses the
 * new address, MailDeliveryError when the link could not be sent.
 */
export async function requestEmailChange(user: User, newEmail: string, origin: ActivityOrigin, now = Date.now()): Promise<void> {
  const owner = await findUserByEmail(newEmail);
  if (owner && owner.id !== user.id) throw new EmailTakenError();
  const { emailTokenMaxAge } = getConfig();
  const token = await issueToken(user, "email_change", { email: newEmail, maxAge: emailTokenMaxAge, now });
  try {
    await sendMail(emailChangeConfirmationMail({ to: newEmail, name: user.name, token, expiresIn: emailTokenMaxAge, language: user.language }));
  } catch (error) {
    // No link went out: nothing is pending.
    await revokeTokens(db, user.id, ["email_change"], now);
    throw error;
  }
  await announce({ type: "email_change_requested", actorId: user.id }, origin, { now });
  try {
    await sendMail(emailChangeNoticeMail({ to: user.email, name: user.name, newEmail, language: user.language }));
  } catch (error) {
    // The request stands (nothing changes before the new address confirms); the failure is logged.
    if (!(error instanceof MailDeliveryError)) throw error;
  }
}

export type ConfirmResult =
  | { ok: true; purpose: "email_confirmation" | "email_change"; email: string; userId: number }
  | { ok: false; problem: "used" | "taken" };

/**
 * Spends a checked confirmation token. For a new account it marks the address
 * confirmed; for a change it switches the account to the new address (which is
 * confirmed by this very click) and voids every link sent to the old one.
 */
export async function confirmEmail(check: Extract<TokenCheck, { ok: true }>, origin: ActivityOrigin, now = Date.now()): Promise<ConfirmResult> {
  const { token, user } = check;
  const purpose = token.purpose === "email_change" ? "email_change" : "email_confirmation";
  if (purpose === "email_change") {
    const owner = await findUserByEmail(token.email);
    if (owner && owner.id !== user.id) return { ok: false, problem: "taken" };
  }
  const result = await db.transaction().execute(async (trx): Promise<ConfirmResult> => {
    if (!(await markTokenUsed(trx, token.id, now))) return { ok: false, problem: "used" };
    if (purpose === "email_change") {
      await trx.updateTable("users").set({ email: token.email, email_confirmed_at: now, updated_at: now }).where("id", "=", user.id).execute();
      await revokeAccountLinks(trx, user.id, now);
    } else {
      await trx.updateTable("users").set({ email_confirmed_at: now, updated_at: now }).where("id", "=", user.id).execute();
      await revokeTokens(trx, user.id, ["email_confirmation"], now);
    }
    return { ok: true, purpose, email: token.email, userId: user.id };
  }).catch((error: unknown) => {
    // Someone registered the address between the check above and this update.
    if (isUniqueViolation(error)) return { ok: false, problem: "taken" } as const;
    throw error;
  });
  if (result.ok) {
    await announce({ type: purpose === "email_change" ? "email_changed" : "email_confirmed", actorId: user.id }, origin, { now });
  }
  return result;
}
