import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, PASSWORD, startServer, type TestServer, uniqueEmail } from "../helpers/server";

const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const CHROME = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

/** A client that always sends the given headers (a browser with a fixed user agent, behind a proxy). */
class Browser extends Client {
  constructor(
    base: string,
    public headers: Record<string, string>,
  ) {
    super(base);
  }
  override request(pathname: string, init: RequestInit & { form?: Record<string, string> } = {}) {
    return super.request(pathname, { ...init, headers: { ...this.headers, ...(init.headers as Record<string, string>) } });
  }
}

async function signUp(server: TestServer, headers: Record<string, string>, remember = false) {
  const browser = new Browser(server.url, headers);
  const email = uniqueEmail("protect");
  expect((await browser.post("/register", { name: "Pat", email, password: PASSWORD })).status).toBe(302);
  if (remember) expect((await browser.post("/login", { email, password: PASSWORD, remember: "on" })).status).toBe(302);
  return { browser, email };
}

/** The same cookies, sent from another browser (a stolen cookie). */
function thief(server: TestServer, from: Client, headers: Record<string, string>) {
  const other = new Browser(server.url, headers);
  other.cookies = new Map(from.cookies);
  return other;
}

const freshAt = async (server: TestServer, email: string) =>
  (
    await server.db
      .selectFrom("sessions")
      .select("fresh_at")
      .where("user_id", "=", (eb) => eb.selectFrom("users").select("id").where("email", "=", email))
      .executeTakeFirst()
  )?.fresh_at;

describe("SESSION_PROTECTION=basic (default)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("a changed user agent keeps the session but makes it not fresh, until the password is entered again", async () => {
    const { browser, email } = await signUp(server, { "User-Agent": FIREFOX }, true);
    expect(await freshAt(server, email)).not.toBeNull();
    const stolen = thief(server, browser, { "User-Agent": CHROME });
    expect((await stolen.get("/dashboard")).status).toBe(200);
    expect(await freshAt(server, email)).toBeNull();
    expect(await (await stolen.get("/settings/sessions")).text()).toContain("Sensitive settings will ask for your password.");
    // The owner is still signed in, not fresh either.
    expect((await browser.get("/dashboard")).status).toBe(200);

    const reauth = await stolen.post("/reauthenticate", { password: PASSWORD, redirectTo: "/settings/sessions" });
    expect(reauth.status).toBe(302);
    // Reauthenticating adopts the new fingerprint: the next requests stay fresh.
    await stolen.get("/dashboard");
    expect(await freshAt(server, email)).not.toBeNull();
    const type = await server.db
      .selectFrom("activity")
      .select(["type", "details"])
      .where("subject_id", "=", (eb) => eb.selectFrom("users").select("id").where("email", "=", email))
      .where("type", "=", "session_protection_triggered")
      .execute();
    expect(type).toEqual([{ type: "session_protection_triggered", details: JSON.stringify({ mode: "basic", ended: false }) }]);
    // The operator's log says what changed, and from where.
    const warning = server.logs
      .filter((line) => line.includes('"session protection: the client changed"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)[0];
    expect(warning).toMatchObject({ mode: "basic", changed: ["user-agent"], userAgent: CHROME });
  });

  it("ignores X-Forwarded-For without TRUST_PROXY", async () => {
    const { browser, email } = await signUp(server, { "User-Agent": FIREFOX, "X-Forwarded-For": "203.0.113.5" });
    const elsewhere = thief(server, browser, { "User-Agent": FIREFOX, "X-Forwarded-For": "198.51.100.9" });
    expect((await elsewhere.get("/dashboard")).status).toBe(200);
    expect(await freshAt(server, email)).not.toBeNull();
  });
});

describe("SESSION_PROTECTION=strong behind a trusted proxy", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ SESSION_PROTECTION: "strong", TRUST_PROXY: "true" });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("ends the session and clears the cookie when the user agent changes", async () => {
    const { browser, email } = await signUp(server, { "User-Agent": FIREFOX, "X-Forwarded-For": "203.0.113.5" }, true);
    const stolen = thief(server, browser, { "User-Agent": CHROME, "X-Forwarded-For": "203.0.113.5" });
    const response = await stolen.get("/dashboard");
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login?redirectTo=%2Fdashboard");
    const cleared = response.headers.getSetCookie().find((c) => c.startsWith("__session="));
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect(stolen.cookies.has("__session")).toBe(false);
    expect(await freshAt(server, email)).toBeUndefined();
    // The owner's cookie is dead too: the session is gone.
    expect((await browser.get("/dashboard")).status).toBe(302);
  });

  it("ends the session when the address moves to another network, not within the same /24", async () => {
    const { browser, email } = await signUp(server, { "User-Agent": FIREFOX, "X-Forwarded-For": "203.0.113.5" });
    browser.headers["X-Forwarded-For"] = "203.0.113.77";
    expect((await browser.get("/dashboard")).status).toBe(200);
    expect(await freshAt(server, email)).not.toBeNull();
    browser.headers["X-Forwarded-For"] = "198.51.100.9";
    expect((await browser.get("/dashboard")).status).toBe(302);
    expect(await freshAt(server, email)).toBeUndefined();
  });

  it("uses the address the nearest proxy saw, not one the client wrote", async () => {
    const { browser } = await signUp(server, { "User-Agent": FIREFOX, "X-Forwarded-For": "203.0.113.5" });
    // A client-supplied entry before the proxy's own is ignored (one trusted hop).
    browser.headers["X-Forwarded-For"] = "198.51.100.1, 203.0.113.5";
    expect((await browser.get("/dashboard")).status).toBe(200);
  });
});

describe("SESSION_PROTECTION=off", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ SESSION_PROTECTION: "off" });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("lets a changed client keep a fresh session", async () => {
    const { browser, email } = await signUp(server, { "User-Agent": FIREFOX });
    const other = thief(server, browser, { "User-Agent": CHROME });
    expect((await other.get("/dashboard")).status).toBe(200);
    expect(await freshAt(server, email)).not.toBeNull();
  });
});
