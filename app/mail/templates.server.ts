import { getConfig } from "~/config.server";
import { i18nFor } from "~/i18n/i18n.server";
import type { Translate } from "~/i18n/translate";
import type { MailMessage } from "./mailer.server";

/**
 * The app's emails, each with a text and an HTML part. Links are built from
 * APP_ORIGIN, never from a request's Host header (which an attacker controls).
 * Each goes out in `language`: the recipient's saved choice, else the language
 * of the request that caused it (the callers decide), else English.
 */

/** Who a mail is for, and in which language. */
type Recipient = { to: string; name: string; language?: string | null };

const APP_NAME = "Remix Auth Kit";

/** An absolute link on this site: APP_ORIGIN + path (+ query). */
export function appLink(pathname: string, query: Record<string, string> = {}): string {
  const url = new URL(pathname, getConfig().appOrigin);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return url.href;
}

/** "1 hour", "24 hours", "30 minutes": how long a link works, for the mail's wording. */
export function describeDuration(ms: number, t: Translate = i18nFor("en").t): string {
  const units: [number, "day" | "hour" | "minute" | "second"][] = [
    [86_400_000, "day"],
    [3_600_000, "hour"],
    [60_000, "minute"],
    [1000, "second"],
  ];
  for (const [size, unit] of units) {
    if (ms >= size && ms % size === 0) {
      const n = ms / size;
      if (unit === "day" && n === 1) return t("wait.hours", { n: 24 });
      return n === 1 ? t(`wait.${unit}`) : t(`wait.${unit}s`, { n });
    }
  }
  return t("wait.seconds", { n: Math.max(1, Math.round(ms / 1000)) });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

type Layout = {
  kind: string;
  language: string;
  t: Translate;
  to: string;
  subject: string;
  greeting: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  /** Said after the button, e.g. when the link expires or what to do if it was not you. */
  after?: string[];
};

function render({ kind, language, t, to, subject, greeting, paragraphs, action, after = [] }: Layout): MailMessage {
  const text = [
    greeting,
    ...paragraphs,
    ...(action ? [`${action.label}:\n${action.url}`] : []),
    ...after,
    `— ${APP_NAME}`,
  ].join("\n\n");
  const p = (t: string) => `<p style="margin:0 0 16px">${escapeHtml(t)}</p>`;
  const button = action
    ? `<p style="margin:0 0 16px"><a href="${escapeHtml(action.url)}" style="display:inline-block;padding:10px 18px;background:#1d4ed8;color:#ffffff;border-radius:6px;text-decoration:none">${escapeHtml(action.label)}</a></p>` +
      `<p style="margin:0 0 16px;font-size:13px;color:#55585f">${escapeHtml(t("mail.pasteLink"))}<br><a href="${escapeHtml(action.url)}">${escapeHtml(action.url)}</a></p>`
    : "";
  const html = `<!doctype html>
<html lang="${language}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:24px;background:#f7f7f8;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1c1d21;line-height:1.5">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border:1px solid #d5d7dc;border-radius:8px;padding:24px">
${[p(greeting), ...paragraphs.map(p), button, ...after.map(p)].join("\n")}
<p style="margin:0;color:#55585f">— ${escapeHtml(APP_NAME)}</p>
</div></body></html>`;
  return { kind, to, subject, text, html, link: action?.url };
}

/** The language's lookup and the fields every mail shares. */
function mailIn({ language, name }: Recipient) {
  const i18n = i18nFor(language);
  return { language: i18n.language, t: i18n.t, greeting: i18n.t("mail.greeting", { name }) };
}

export function emailConfirmationMail(recipient: Recipient & { token: string; expiresIn: number }): MailMessage {
  const { to, token, expiresIn } = recipient;
  const { t, ...common } = mailIn(recipient);
  return render({
    ...common,
    t,
    kind: "email_confirmation",
    to,
    subject: t("mail.confirm.subject", { app: APP_NAME }),
    paragraphs: [t("mail.confirm.body", { email: to })],
    action: { label: t("mail.confirm.action"), url: appLink("/verify-email", { token }) },
    after: [t("mail.confirm.after", { duration: describeDuration(expiresIn, t) })],
  });
}

export function emailChangeConfirmationMail(recipient: Recipient & { token: string; expiresIn: number }): MailMessage {
  const { to, token, expiresIn } = recipient;
  const { t, ...common } = mailIn(recipient);
  return render({
    ...common,
    t,
    kind: "email_change",
    to,
    subject: t("mail.change.subject", { app: APP_NAME }),
    paragraphs: [t("mail.change.body", { email: to })],
    action: { label: t("mail.change.action"), url: appLink("/verify-email", { token }) },
    after: [t("mail.change.after", { duration: describeDuration(expiresIn, t) })],
  });
}

export function emailChangeNoticeMail(recipient: Recipient & { newEmail: string }): MailMessage {
  const { to, newEmail } = recipient;
  const { t, ...common } = mailIn(recipient);
  return render({
    ...common,
    t,
    kind: "email_change_notice",
    to,
    subject: t("mail.changeNotice.subject", { app: APP_NAME }),
    paragraphs: [
      t("mail.changeNotice.body", { email: to, newEmail }),
      t("mail.changeNotice.cancel", { link: appLink("/settings/email") }),
    ],
    after: [t("mail.changeNotice.after", { link: appLink("/forgot-password") })],
  });
}

export function passwordResetMail(recipient: Recipient & { token: string; expiresIn: number }): MailMessage {
  const { to, token, expiresIn } = recipient;
  const { t, ...common } = mailIn(recipient);
  return render({
    ...common,
    t,
    kind: "password_reset",
    to,
    subject: t("mail.reset.subject", { app: APP_NAME }),
    paragraphs: [t("mail.reset.body")],
    action: { label: t("mail.reset.action"), url: appLink("/reset-password", { token }) },
    after: [t("mail.reset.after", { duration: describeDuration(expiresIn, t) })],
  });
}

export function passwordChangedMail(recipient: Recipient): MailMessage {
  const { t, ...common } = mailIn(recipient);
  return render({
    ...common,
    t,
    kind: "password_changed",
    to: recipient.to,
    subject: t("mail.changed.subject", { app: APP_NAME }),
    paragraphs: [t("mail.changed.body")],
    after: [t("mail.notYou", { link: appLink("/forgot-password") })],
  });
}

export type TwoFactorNoticeKind = "enabled" | "disabled" | "recovery_codes_regenerated" | "reset";

const TWO_FACTOR_NOTICES = {
  enabled: { subject: "mail.twoFactor.enabledSubject", paragraph: "mail.twoFactor.enabledBody" },
  disabled: { subject: "mail.twoFactor.disabledSubject", paragraph: "mail.twoFactor.disabledBody" },
  recovery_codes_regenerated: { subject: "mail.twoFactor.codesSubject", paragraph: "mail.twoFactor.codesBody" },
  reset: { subject: "mail.twoFactor.resetSubject", paragraph: "mail.twoFactor.resetBody" },
} as const;

export function twoFactorNoticeMail(recipient: Recipient & { kind: TwoFactorNoticeKind }): MailMessage {
  const { kind } = recipient;
  const { t, ...common } = mailIn(recipient);
  const { subject, paragraph } = TWO_FACTOR_NOTICES[kind];
  return render({
    ...common,
    t,
    kind: `two_factor_${kind}`,
    to: recipient.to,
    subject: `${APP_NAME}: ${t(subject)}`,
    paragraphs: [t(paragraph, { link: appLink("/settings/two-factor") })],
    after: [t("mail.notYouSessions", { link: appLink("/forgot-password") })],
  });
}
