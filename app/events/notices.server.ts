import type { ActivityEvent, ActivityType } from "~/activity/activity.server";
import { db } from "~/db.server";
import { logger } from "~/logger.server";
import { MailDeliveryError, type MailMessage, sendMail } from "~/mail/mailer.server";
import { passwordChangedMail, twoFactorNoticeMail } from "~/mail/templates.server";

type Recipient = { to: string; name: string; language: string | null };

/**
 * The events whose account owner is told by mail, so that a change they did
 * not make does not go unnoticed, and the mail each gets.
 */
const NOTICES: Partial<Record<ActivityType, (recipient: Recipient) => MailMessage>> = {
  password_changed: passwordChangedMail,
  password_reset: passwordChangedMail,
  two_factor_enabled: (recipient) => twoFactorNoticeMail({ ...recipient, kind: "enabled" }),
  two_factor_disabled: (recipient) => twoFactorNoticeMail({ ...recipient, kind: "disabled" }),
  two_factor_reset: (recipient) => twoFactorNoticeMail({ ...recipient, kind: "reset" }),
  recovery_codes_regenerated: (recipient) => twoFactorNoticeMail({ ...recipient, kind: "recovery_codes_regenerated" }),
};

/**
 * The built-in listener (app/events/events.server.ts): a notice to the
 * account the event concerns, in the language its owner chose, else the
 * request's. The change is done either way: a failed send is logged (by the
 * mailer) and goes no further.
 */
export async function sendNotices(event: ActivityEvent, { language }: { language: string | null }): Promise<void> {
  const notice = NOTICES[event.type];
  const userId = event.subjectId === undefined ? event.actorId : event.subjectId;
  if (!notice || userId === null) return;
  const owner = await db.selectFrom("users").select(["email", "name", "language"]).where("id", "=", userId).executeTakeFirst();
  if (!owner) return;
  try {
    await sendMail(notice({ to: owner.email, name: owner.name, language: owner.language ?? language }));
  } catch (error) {
    if (!(error instanceof MailDeliveryError)) throw error;
    logger.warn({ userId, type: event.type }, "notice not sent");
  }
}
