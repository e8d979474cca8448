import { getConfig } from "~/config.server";
import type { MailMessage } from "./mailer.server";

/**
 * The app's emails, each with a text and an HTML part. Links are built from
 * APP_ORIGIN, never from a request's Host header (which an attacker controls).
 */

const APP_NAME = "Remix Auth Kit";

/** An absolute link on this site: APP_ORIGIN + path (+ query). */
export function appLink(pathname: string, query: Record<string, string> = {}): string {
  const url = new URL(pathname, getConfig().appOrigin);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return url.href;
}

/** "1 hour", "24 hours", "30 minutes": how long a link works, for the mail's wording. */
export function describeDuration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, "day"],
    [3_600_000, "hour"],
    [60_000, "minute"],
    [1000, "second"],
  ];
  for (const [size, unit] of units) {
    if (ms >= size && ms % size === 0) {
      const n = ms / size;
      if (unit === "day" && n === 1) return "24 hours";
      return `${n} ${unit}${n === 1 ? "" : "s"}`;
    }
  }
  return `${Math.max(1, Math.round(ms / 1000))} seconds`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

type Layout = {
  kind: string;
  to: string;
  subject: string;
  greeting: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  /** Said after the button, e.g. when the link expires or what to do if it was not you. */
  after?: string[];
};

function render({ kind, to, subject, greeting, paragraphs, action, after = [] }: Layout): MailMessage {
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
      `<p style="margin:0 0 16px;font-size:13px;color:#55585f">Or paste this link into your browser:<br><a href="${escapeHtml(action.url)}">${escapeHtml(action.url)}</a></p>`
    : "";
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:24px;background:#f7f7f8;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1c1d21;line-height:1.5">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border:1px solid #d5d7dc;border-radius:8px;padding:24px">
${[p(greeting), ...paragraphs.map(p), button, ...after.map(p)].join("\n")}
<p style="margin:0;color:#55585f">— ${escapeHtml(APP_NAME)}</p>
</div></body></html>`;
  return { kind, to, subject, text, html, link: action?.url };
}

export function emailConfirmationMail({ to, name, token, expiresIn }: { to: string; name: string; token: string; expiresIn: number }): MailMessage {
  return render({
    kind: "email_confirmation",
    to,
    subject: `Confirm your email address for ${APP_NAME}`,
    greeting: `Hello ${name},`,
    paragraphs: [`Please confirm that ${to} is your email address. Open the link below and press the button on the page.`],
    action: { label: "Confirm your email address", url: appLink("/verify-email", { token }) },
    after: [`The link works once and expires in ${describeDuration(expiresIn)}. If you did not create an account, you can ignore this email.`],
  });
}

export function emailChangeConfirmationMail({ to, name, token, expiresIn }: { to: string; name: string; token: string; expiresIn: number }): MailMessage {
  return render({
    kind: "email_change",
    to,
    subject: `Confirm your new email address for ${APP_NAME}`,
    greeting: `Hello ${name},`,
    paragraphs: [`You asked to use ${to} as the email address of your account. It changes once you open the link below and press the button on the page.`],
    action: { label: "Confirm your new email address", url: appLink("/verify-email", { token }) },
    after: [`The link works once and expires in ${describeDuration(expiresIn)}. If you did not ask for this, ignore this email: nothing changes.`],
  });
}

export function emailChangeNoticeMail({ to, name, newEmail }: { to: string; name: string; newEmail: string }): MailMessage {
  return render({
    kind: "email_change_notice",
    to,
    subject: `Your ${APP_NAME} email address is being changed`,
    greeting: `Hello ${name},`,
    paragraphs: [
      `Someone signed in to your account asked to change its email address from ${to} to ${newEmail}. The change takes effect once the new address is confirmed.`,
      `To cancel it, sign in and press "Cancel the change" on ${appLink("/settings/email")}. Changing or resetting your password cancels it too.`,
    ],
    after: [`If this was not you, reset your password now (this cancels the change and signs everyone out): ${appLink("/forgot-password")}`],
  });
}

export function passwordResetMail({ to, name, token, expiresIn }: { to: string; name: string; token: string; expiresIn: number }): MailMessage {
  return render({
    kind: "password_reset",
    to,
    subject: `Reset your ${APP_NAME} password`,
    greeting: `Hello ${name},`,
    paragraphs: ["Someone (hopefully you) asked to reset the password of your account. Open the link below to choose a new one."],
    action: { label: "Choose a new password", url: appLink("/reset-password", { token }) },
    after: [
      `The link works once and expires in ${describeDuration(expiresIn)}. If you did not ask for this, ignore this email: your password stays as it is.`,
    ],
  });
}

export function passwordChangedMail({ to, name }: { to: string; name: string }): MailMessage {
  return render({
    kind: "password_changed",
    to,
    subject: `Your ${APP_NAME} password was changed`,
    greeting: `Hello ${name},`,
    paragraphs: ["The password of your account was just changed, and every other session of your account was signed out."],
    after: [`If this was not you, reset your password now: ${appLink("/forgot-password")}`],
  });
}

export type TwoFactorNoticeKind = "enabled" | "disabled" | "recovery_codes_regenerated" | "reset";

export function twoFactorNoticeMail({ to, name, kind }: { to: string; name: string; kind: TwoFactorNoticeKind }): MailMessage {
  const { subject, paragraph } = {
    enabled: {
      subject: "Two-factor authentication is on",
      paragraph: "Two-factor authentication was turned on for your account. From now on, logging in needs a code from your authenticator app or a recovery code.",
    },
    disabled: {
      subject: "Two-factor authentication is off",
      paragraph: "Two-factor authentication was turned off for your account. Logging in now needs only your password.",
    },
    recovery_codes_regenerated: {
      subject: "New recovery codes were created",
      paragraph: "A new set of recovery codes was created for your account; the old codes no longer work.",
    },
    reset: {
      subject: "Two-factor authentication was reset",
      paragraph: `An administrator turned off two-factor authentication for your account (for example because you lost your device). Logging in now needs only your password; your recovery codes no longer work. Set it up again at ${appLink("/settings/two-factor")}.`,
    },
  }[kind];
  return render({
    kind: `two_factor_${kind}`,
    to,
    subject: `${APP_NAME}: ${subject}`,
    greeting: `Hello ${name},`,
    paragraphs: [paragraph],
    after: [`If this was not you, reset your password now and review your sessions: ${appLink("/forgot-password")}`],
  });
}
