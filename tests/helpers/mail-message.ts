/**
 * Reads the mails this app sends (nodemailer's multipart/alternative with a
 * text and an HTML part, quoted-printable or base64). Enough MIME for tests;
 * no app imports, so the Playwright specs can use it too.
 */

export type ParsedMail = {
  headers: Record<string, string>;
  to: string;
  subject: string;
  text: string;
  html: string;
  raw: string;
};

function splitHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const unfolded = block.replace(/\r?\n[ \t]+/g, " ");
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function splitEntity(raw: string): { headers: Record<string, string>; body: string } {
  const match = /\r?\n\r?\n/.exec(raw);
  if (!match) return { headers: splitHeaders(raw), body: "" };
  return { headers: splitHeaders(raw.slice(0, match.index)), body: raw.slice(match.index + match[0].length) };
}

function decodeQuotedPrintable(body: string): string {
  const bytes: number[] = [];
  const soft = body.replace(/=\r?\n/g, "");
  for (let i = 0; i < soft.length; i++) {
    const c = soft[i]!;
    if (c === "=" && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

function decodeBody(headers: Record<string, string>, body: string): string {
  const encoding = (headers["content-transfer-encoding"] ?? "7bit").toLowerCase();
  if (encoding === "quoted-printable") return decodeQuotedPrintable(body);
  if (encoding === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  return body;
}

/** Decodes an RFC 2047 header value (=?utf-8?Q?...?= / =?utf-8?B?...?=). */
function decodeHeader(value: string): string {
  return value.replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=\s*/gi, (_m, _charset, kind: string, text: string) =>
    kind.toUpperCase() === "B"
      ? Buffer.from(text, "base64").toString("utf8")
      : decodeQuotedPrintable(text.replace(/_/g, " ")),
  );
}

export function parseMail(raw: string): ParsedMail {
  const { headers, body } = splitEntity(raw);
  let text = "";
  let html = "";
  const contentType = headers["content-type"] ?? "text/plain";
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  const parts = boundary
    ? body
        .split(`--${boundary}`)
        .slice(1)
        .filter((part) => !part.startsWith("--"))
        .map((part) => splitEntity(part.replace(/^\r?\n/, "")))
    : [{ headers, body }];
  for (const part of parts) {
    const type = (part.headers["content-type"] ?? "text/plain").toLowerCase();
    const decoded = decodeBody(part.headers, part.body).replace(/\r\n/g, "\n").replace(/\n$/, "");
    if (type.startsWith("text/plain")) text = decoded;
    else if (type.startsWith("text/html")) html = decoded;
  }
  return { headers, to: headers.to ?? "", subject: decodeHeader(headers.subject ?? ""), text, html, raw };
}

/** The first link in a mail's text part that starts with `prefix` (an origin + path). */
export function linkIn(mail: ParsedMail, prefix: string): string {
  const link = mail.text.match(/https?:\/\/\S+/g)?.find((candidate) => candidate.startsWith(prefix));
  if (!link) throw new Error(`no link starting with ${prefix} in:\n${mail.text}`);
  return link;
}

/** The `token` query parameter of the first link to `path` in the mail's text. */
export function tokenIn(mail: ParsedMail, path: string): string {
  const link = mail.text.match(/https?:\/\/\S+/g)?.map((l) => new URL(l)).find((url) => url.pathname === path);
  const token = link?.searchParams.get("token");
  if (!token) throw new Error(`no ${path} link with a token in:\n${mail.text}`);
  return token;
}
