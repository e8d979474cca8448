import { logger } from "~/logger.server";
import { MailDeliveryError, sendMail } from "~/mail/mailer.server";
import { type TwoFactorNoticeKind, twoFactorNoticeMail } from "~/mail/templates.server";
import type { PublicUser } from "~/users/users.server";

export type { TwoFactorNoticeKind };

/**
 * Tells the account owner that two-factor changed, so a change they did not
 * make does not go unnoticed. The change itself has happened: a failed send
 * is logged (by the mailer) and does not undo it.
 */
export async function sendTwoFactorNotice(
  user: Pick<PublicUser, "id" | "email" | "name" | "language">,
  kind: TwoFactorNoticeKind,
  /** The notice's language when the user chose none: the request's. */
  language: string | null = null,
): Promise<void> {
  try {
    await sendMail(twoFactorNoticeMail({ to: user.email, name: user.name, kind, language: user.language ?? language }));
  } catch (error) {
    if (!(error instanceof MailDeliveryError)) throw error;
    logger.warn({ userId: user.id, kind }, "two-factor notice not sent");
  }
}
