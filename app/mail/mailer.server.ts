import fs from "node:fs/promises";
import path from "node:path";
import type { Transporter } from "nodemailer";
import { getConfig } from "~/config.server";
import { logger } from "~/logger.server";
import { randomHex } from "~/utils/crypto.server";
import { singleton } from "~/utils/singleton.server";

/**
 * Sends mail. With SMTP_URL, through that server; outside production without
 * it, each message is written to `<data folder>/outbox/` as an .eml file and
 * its link is logged, so a developer can click through without a mail server.
 * In production without SMTP_URL every send fails (and says why in the log).
 */

export type MailMessage = {
  /** What the mail is for (`password_reset`, ...), for the log. */
  kind: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The link the mail is about, logged in outbox mode only (it may carry a token). */
  link?: string;
};

/** The message a user sees when a mail could not be sent: nothing is lost, trying again may work. */
export const MAIL_RETRY_MESSAGE = "We could not send the email just now. Please try again in a few minutes.";

/** A mail could not be handed over for delivery; already logged. */
export class MailDeliveryError extends Error {
  override name = "MailDeliveryError";
}

type Delivery = { mode: "smtp"; transporter: Transporter } | { mode: "outbox"; transporter: Transporter; dir: string } | { mode: "none" };

function delivery(): Promise<Delivery> {
  const config = getConfig();
  const key = `mail:${config.smtpUrl ?? (config.isProduction ? "none" : `outbox:${config.dataDir}`)}`;
  return singleton(key, async (): Promise<Delivery> => {
    // Loaded with the first mail, not by every server process at start.
    const { default: nodemailer } = await import("nodemailer");
    if (config.smtpUrl) {
      return {
        mode: "smtp",
        // Short timeouts: a user waits on the answer, and a stuck server should become a "try again" message.
        transporter: nodemailer.createTransport({
          url: config.smtpUrl,
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 30_000,
        }),
      };
    }
    if (config.isProduction) return { mode: "none" };
    return {
      mode: "outbox",
      transporter: nodemailer.createTransport({ streamTransport: true, buffer: true }),
      dir: path.join(config.dataDir, "outbox"),
    };
  });
}

/** Sends one message (text and HTML parts). Throws MailDeliveryError, after logging it, when it could not be sent. */
export async function sendMail(message: MailMessage): Promise<void> {
  const target = await delivery();
  const envelope = {
    from: getConfig().mailFrom,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
  };
  try {
    if (target.mode === "none") throw new Error("SMTP_URL is not set; mail cannot be sent in production without it");
    const info = await target.transporter.sendMail(envelope);
    if (target.mode === "outbox") {
      await fs.mkdir(target.dir, { recursive: true });
      const file = path.join(target.dir, `${Date.now()}-${message.kind}-${randomHex(4)}.eml`);
      await fs.writeFile(file, info.message as Buffer);
      logger.info({ mail: message.kind, to: message.to, subject: message.subject, file, link: message.link }, "mail written to the outbox");
    } else {
      logger.info({ mail: message.kind, messageId: info.messageId }, "mail sent");
    }
  } catch (error) {
    logger.error({ mail: message.kind, err: error instanceof Error ? error.message : String(error) }, "mail delivery failed");
    throw new MailDeliveryError(`could not send the ${message.kind} mail`, { cause: error });
  }
}
