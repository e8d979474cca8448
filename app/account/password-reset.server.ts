import type { ActivityOrigin } from "~/activity/activity.server";
import { revokeApiTokensOfUser } from "~/api/api-tokens.server";
import { removePasskeys } from "~/auth/passkeys.server";
import { hashPassword } from "~/auth/password.server";
import { liftAccountLockout } from "~/auth/rate-limit.server";
import { disableTwoFactor } from "~/auth/two-factor.server";
import { getConfig } from "~/config.server";
import { announce, announcingTransaction } from "~/events/events.server";
import { appCookie } from "~/utils/cookies.server";
import type { DB } from "~/db.server";
import { logger } from "~/logger.server";
import { MailDeliveryError, sendMail } from "~/mail/mailer.server";
import { passwordResetMail } from "~/mail/templates.server";
import { findUserByEmail } from "~/users/users.server";
import { issueToken, markTokenUsed, revokeAccountLinks, type TokenCheck } from "./tokens.server";

/**
 * "Forgot password": a link by email, then a new password. The answer to a
 * request never says whether the address has an account; the link's token
 * moves from the URL into a short-lived cookie at once, so it does not linger
 * in the address bar, the history or a Referer header.
 */

/** How long the reset page keeps the token in its cookie after the link was opened. */
const RESET_COOKIE_MAX_AGE_S = 15 * 60;

let cookie: ReturnType<typeof appCookie> | undefined;

function resetCookie() {
  // Lax, not Strict: the cookie is set by a link opened from a mail client and read on the redirect that follows.
  cookie ??= appCookie("_reset", { maxAgeSeconds: RESET_COOKIE_MAX_AGE_S });
  return cookie;
}

/** A Set-Cookie value holding the link's token for the clean /reset-password page. */
export function serializeResetCookie(token: string): Promise<string> {
  return resetCookie().serialize(token);
}

/** The token from the reset cookie; null when absent, unsigned or tampered with. */
export async function readResetCookie(request: Request): Promise<string | null> {
  try {
    const value = await resetCookie().parse(request.headers.get("Cookie"));
    return typeof value === "string" && value ? value : null;
  } catch {
    return null;
  }
}

export function clearResetCookie(): Promise<string> {
  return resetCookie().serialize("", { maxAge: 0, expires: new Date(0) });
}

/**
 * Sends a reset link when `email` belongs to an active account; does nothing
 * otherwise. The caller answers the same either way, without waiting for this
 * (so neither the answer nor its timing tells whether the account exists).
 */
export async function requestPasswordReset(email: string, origin: ActivityOrigin, now = Date.now(), language: string | null = null): Promise<void> {
  const user = await findUserByEmail(email);
  if (!user || !user.active) return;
  const { resetTokenMaxAge } = getConfig();
  const token = await issueToken(user, "password_reset", { email: user.email, maxAge: resetTokenMaxAge, now });
  await announce({ type: "password_reset_requested", actorId: null, subjectId: user.id }, origin, { now });
  await sendMail(passwordResetMail({ to: user.email, name: user.name, token, expiresIn: resetTokenMaxAge, language: user.language ?? language }));
}

/** Starts requestPasswordReset in the background (the mail in the account's language, else `language`); failures are logged, never shown. */
export function requestPasswordResetInBackground(email: string, origin: ActivityOrigin, language: string | null = null): void {
  requestPasswordReset(email, origin, Date.now(), language).catch((error: unknown) => {
    // A failed delivery was logged by the mailer already.
    if (!(error instanceof MailDeliveryError)) logger.error({ err: error }, "password reset request failed");
  });
}

/**
 * An address proven for the first time by a reset may have been held by
 * someone else until now (registered with another person's email, or
 * created by a provider that does not verify emails): what they set up to
 * come back goes with the password (passkeys, linked providers, two-factor,
 * API tokens), so the mailbox's owner takes the whole account back. An
 * account whose address was already confirmed keeps them (decision 008).
 */
async function removeUnprovenSetup(within: DB, userId: number, origin: ActivityOrigin, now: number, language: string | null): Promise<void> {
  await removePasskeys(userId, null, { actorId: userId, origin, within });
  if (await disableTwoFactor(userId, within)) await announce({ type: "two_factor_disabled", actorId: userId }, origin, { now, within, language });
  await within.deleteFrom("user_identities").where("user_id", "=", userId).execute();
  await revokeApiTokensOfUser(within, userId, now);
}

/**
 * Sets a new password with a checked reset token: the token is spent, every
 * other account link dies (reset, confirmation, email change), every session of the account ends, and the owner is
 * told by mail. False when the token was spent meanwhile (a concurrent request).
 * Opening the link proves the address works, so an unconfirmed one becomes confirmed,
 * and it proves the owner is back: the login lockout of the account is lifted.
 */
export async function resetPassword(
  check: Extract<TokenCheck, { ok: true }>,
  password: string,
  origin: ActivityOrigin,
  now = Date.now(),
  /** The notice's language when the user chose none: the request's. */
  language: string | null = null,
): Promise<boolean> {
  const { token, user } = check;
  const passwordHash = await hashPassword(password);
  const done = await announcingTransaction(async (trx) => {
    if (!(await markTokenUsed(trx, token.id, now))) return false;
    await trx
      .updateTable("users")
      .set({ password_hash: passwordHash, updated_at: now, email_confirmed_at: user.email_confirmed_at ?? now })
      .where("id", "=", user.id)
      .execute();
    await revokeAccountLinks(trx, user.id, now);
    await trx.deleteFrom("sessions").where("user_id", "=", user.id).execute();
    if (user.email_confirmed_at === null) await removeUnprovenSetup(trx, user.id, origin, now, language);
    return true;
  });
  if (!done) return false;
  await liftAccountLockout("password", { account: user.email, address: origin.ip });
  await announce({ type: "password_reset", actorId: user.id }, origin, { now, language });
  return true;
}
