import type { PublicUser } from "~/users/users.server";
import { logger } from "~/logger.server";

export type TwoFactorNoticeKind = "enabled" | "disabled" | "recovery_codes_regenerated";

/**
 * Tells the account owner that two-factor changed, so a change they did not
 * make does not go unnoticed.
 *
 * TODO(lead, at merge): send this through the mailer of issue 4 (app/mail/)
 * instead of only logging it; the subject and text below are the email's.
 */
export async function sendTwoFactorNotice(user: Pick<PublicUser, "id" | "email" | "name">, kind: TwoFactorNoticeKind): Promise<void> {
  const subject = {
    enabled: "Two-factor authentication is on",
    disabled: "Two-factor authentication is off",
    recovery_codes_regenerated: "New recovery codes were created",
  }[kind];
  const text = {
    enabled: "Two-factor authentication was turned on for your account. From now on, logging in needs a code from your authenticator app or a recovery code.",
    disabled: "Two-factor authentication was turned off for your account. Logging in now needs only your password.",
    recovery_codes_regenerated: "A new set of recovery codes was created for your account; the old codes no longer work.",
  }[kind];
  logger.info({ mail: { to: user.email, subject, text }, userId: user.id, kind }, "two-factor notice");
}
