import fs from "node:fs";
import path from "node:path";
import { expect } from "@playwright/test";
import { linkIn, type ParsedMail, parseMail } from "../tests/helpers/mail-message";
import { BASE_URL } from "./helpers";

/**
 * The e2e server has no SMTP_URL, so, like a developer's machine, it writes
 * every mail to its data folder's outbox (e2e/start-server.mjs: .tmp/e2e-PORT/).
 */
const OUTBOX = path.resolve(import.meta.dirname, "..", ".tmp", `e2e-${process.env.E2E_PORT ?? 3210}`, "outbox");

function mailsTo(to: string): ParsedMail[] {
  if (!fs.existsSync(OUTBOX)) return [];
  return fs
    .readdirSync(OUTBOX)
    .filter((file) => file.endsWith(".eml"))
    .sort()
    .map((file) => parseMail(fs.readFileSync(path.join(OUTBOX, file), "utf8")))
    .filter((mail) => mail.to.toLowerCase() === to.toLowerCase());
}

/** Waits for the newest mail to `to` whose subject matches, and returns it. */
export async function waitForMail(to: string, subject: RegExp): Promise<ParsedMail> {
  let found: ParsedMail | undefined;
  await expect
    .poll(() => {
      found = mailsTo(to).filter((mail) => subject.test(mail.subject)).at(-1);
      return Boolean(found);
    }, { message: `a mail to ${to} matching ${subject}` })
    .toBe(true);
  return found!;
}

/** The link to `pathname` in the newest mail to `to` matching `subject`. */
export async function linkInMail(to: string, subject: RegExp, pathname: string): Promise<string> {
  return linkIn(await waitForMail(to, subject), `${BASE_URL}${pathname}`);
}
