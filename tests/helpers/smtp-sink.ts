import { SMTPServer } from "smtp-server";
import { type ParsedMail, parseMail } from "./mail-message";

/**
 * A real SMTP server on 127.0.0.1 (random port), without authentication or
 * TLS, that keeps every delivered message for the test to read.
 */
export type SmtpSink = {
  url: string;
  port: number;
  messages: ParsedMail[];
  /** Waits for the next mail to `to` (matching `subject`) that no earlier call returned. */
  waitForMail: (to: string, options?: { subject?: RegExp; timeoutMs?: number }) => Promise<ParsedMail>;
  /** The mails to `to` so far. */
  mailsTo: (to: string) => ParsedMail[];
  stop: () => Promise<void>;
};

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        messages.push(parseMail(Buffer.concat(chunks).toString("utf8")));
        for (const wake of waiters) wake();
        callback();
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.server.address();
      resolve(typeof address === "object" && address ? address.port : 0);
    });
  });
  const matches = (mail: ParsedMail, to: string, subject?: RegExp) =>
    mail.to.toLowerCase().includes(to.toLowerCase()) && (!subject || subject.test(mail.subject));
  const taken = new WeakSet<ParsedMail>();
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    mailsTo: (to) => messages.filter((mail) => matches(mail, to)),
    waitForMail: (to, { subject, timeoutMs = 10_000 } = {}) =>
      new Promise<ParsedMail>((resolve, reject) => {
        // Each call returns a mail no earlier call returned, so a test can wait for "the next one".
        const find = () => messages.find((mail) => !taken.has(mail) && matches(mail, to, subject));
        const check = () => {
          const mail = find();
          if (!mail) return false;
          taken.add(mail);
          waiters.delete(wake);
          clearTimeout(timer);
          resolve(mail);
          return true;
        };
        const wake = () => void check();
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`no mail to ${to}${subject ? ` matching ${subject}` : ""} within ${timeoutMs} ms; got: ${messages.map((m) => `${m.to}: ${m.subject}`).join("; ")}`));
        }, timeoutMs);
        if (!check()) waiters.add(wake);
      }),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
