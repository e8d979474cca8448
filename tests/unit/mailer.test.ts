import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getConfig } from "~/config.server";
import { MailDeliveryError, sendMail } from "~/mail/mailer.server";
import { appLink, describeDuration, emailConfirmationMail, passwordResetMail } from "~/mail/templates.server";
import { overrideConfig } from "../helpers/config";
import { parseMail, tokenIn } from "../helpers/mail-message";
import { type SmtpSink, startSmtpSink } from "../helpers/smtp-sink";
import { uniqueEmail } from "../helpers/users";

let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => {
  await sink?.stop();
});

describe("sendMail over SMTP", () => {
  it("delivers a text and an HTML part from MAIL_FROM, with links on APP_ORIGIN", async () => {
    const restore = overrideConfig({ smtpUrl: sink.url, mailFrom: "Accounts <accounts@app.example>", appOrigin: "https://app.example" });
    try {
      const to = uniqueEmail("smtp");
      await sendMail(passwordResetMail({ to, name: "Ada", token: "tok_123", expiresIn: 3_600_000 }));
      const mail = await sink.waitForMail(to);
      expect(mail.headers.from).toBe("Accounts <accounts@app.example>");
      expect(mail.subject).toBe("Reset your Remix Auth Kit password");
      expect(mail.headers["content-type"]).toMatch(/^multipart\/alternative/);
      expect(mail.text).toContain("https://app.example/reset-password?token=tok_123");
      expect(mail.text).toContain("expires in 1 hour");
      expect(mail.html).toContain('href="https://app.example/reset-password?token=tok_123"');
      expect(tokenIn(mail, "/reset-password")).toBe("tok_123");
    } finally {
      restore();
    }
  });

  it("escapes the user's name in the HTML part", async () => {
    const restore = overrideConfig({ smtpUrl: sink.url });
    try {
      const to = uniqueEmail("escape");
      await sendMail(emailConfirmationMail({ to, name: `<img src=x onerror="alert(1)">`, token: "t", expiresIn: 86_400_000 }));
      const mail = await sink.waitForMail(to);
      expect(mail.html).not.toContain("<img");
      expect(mail.html).toContain("&#60;img src=x onerror=&#34;alert(1)&#34;&#62;");
      expect(mail.text).toContain(`Hello <img src=x onerror="alert(1)">,`);
    } finally {
      restore();
    }
  });

  it("throws MailDeliveryError (never a crash) when the server cannot be reached", async () => {
    const dead = await startSmtpSink();
    await dead.stop();
    const restore = overrideConfig({ smtpUrl: dead.url });
    try {
      await expect(sendMail(passwordResetMail({ to: uniqueEmail(), name: "A", token: "t", expiresIn: 1000 }))).rejects.toBeInstanceOf(
        MailDeliveryError,
      );
    } finally {
      restore();
    }
  });
});

describe("sendMail without SMTP_URL", () => {
  it("writes an .eml file to the data folder's outbox outside production", async () => {
    const restore = overrideConfig({ smtpUrl: undefined, appOrigin: "http://localhost:4000" });
    try {
      const to = uniqueEmail("outbox");
      await sendMail(emailConfirmationMail({ to, name: "Dev", token: "outbox-token", expiresIn: 86_400_000 }));
      const dir = path.join(getConfig().dataDir, "outbox");
      const files = fs.readdirSync(dir).filter((file) => file.endsWith(".eml"));
      const mails = files.map((file) => parseMail(fs.readFileSync(path.join(dir, file), "utf8")));
      const mail = mails.find((m) => m.to === to);
      expect(mail?.text).toContain("http://localhost:4000/verify-email?token=outbox-token");
      expect(mail?.html).toContain("http://localhost:4000/verify-email?token=outbox-token");
    } finally {
      restore();
    }
  });

  it("refuses to send in production (no link may end up on disk or in logs there)", async () => {
    const restore = overrideConfig({ smtpUrl: undefined, isProduction: true });
    try {
      await expect(sendMail(passwordResetMail({ to: uniqueEmail(), name: "A", token: "t", expiresIn: 1000 }))).rejects.toBeInstanceOf(
        MailDeliveryError,
      );
    } finally {
      restore();
    }
  });
});

describe("mail wording", () => {
  it.each([
    [3_600_000, "1 hour"],
    [86_400_000, "24 hours"],
    [2 * 86_400_000, "2 days"],
    [30 * 60_000, "30 minutes"],
    [90_000, "90 seconds"],
  ])("describes %d ms as %j", (ms, text) => expect(describeDuration(ms)).toBe(text));

  it("builds links from APP_ORIGIN only", () => {
    const restore = overrideConfig({ appOrigin: "https://accounts.example" });
    try {
      expect(appLink("/verify-email", { token: "a b" })).toBe("https://accounts.example/verify-email?token=a+b");
    } finally {
      restore();
    }
  });
});
