import { generate } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newDatabaseUrl, serverDatabase } from "../helpers/database";
import { freePort, startTestProvider, type TestProvider } from "../helpers/oidc-provider.mjs";
import { Client, PASSWORD, registerClient, startServer, type TestServer, uniqueEmail } from "../helpers/server";

/**
 * Sign-in with an OpenID Connect provider, against a real one (oidc-provider
 * on 127.0.0.1) and the production build: every refusal of the round trip,
 * and the account-linking rules (docs/decisions/015-oidc-account-linking.md).
 */

let idp: TestProvider;
let server: TestServer;
let appOrigin: string;
/** A second app (REGISTRATION=closed) registered at the same provider. */
let closedPort: number;

beforeAll(async () => {
  const port = await freePort();
  closedPort = await freePort();
  appOrigin = `http://127.0.0.1:${port}`;
  idp = await startTestProvider({
    redirectUris: [`${appOrigin}/auth/test/callback`, `http://127.0.0.1:${closedPort}/auth/test/callback`],
  });
  const database = serverDatabase(await newDatabaseUrl());
  server = await startServer({
    PORT: String(port),
    APP_ORIGIN: appOrigin,
    OIDC_TEST_ISSUER: idp.issuer,
    OIDC_TEST_CLIENT_ID: idp.clientId,
    OIDC_TEST_CLIENT_SECRET: idp.clientSecret,
    OIDC_TEST_LABEL: "Test IdP",
  }, database);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await idp?.stop();
});

const SESSION = "__session";
let counter = 0;

/** A provider account with a fresh subject. */
function account(details: { email?: string; email_verified?: boolean; name?: string } = {}): string {
  const sub = `sub-${Date.now()}-${++counter}`;
  idp.accounts.set(sub, { email: uniqueEmail("idp"), email_verified: true, name: "Idp User", ...details });
  return sub;
}

/**
 * Plays the browser at the provider: follows its redirects and fills its
 * development login (as `login`) and consent forms, or cancels at the first
 * form (`login: null`). Returns the URL it sends the browser back to.
 */
async function atProvider(authorizeUrl: string, login: string | null, returnOrigin = appOrigin): Promise<URL> {
  const browser = new Client(idp.issuer);
  let url = new URL(authorizeUrl);
  let response = await browser.get(url.href);
  for (let step = 0; step < 20; step++) {
    if (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get("Location")!, url);
      if (url.origin === returnOrigin) return url;
      response = await browser.get(url.href);
      continue;
    }
    const html = await response.text();
    expect(response.status, html.slice(0, 500)).toBe(200);
    const action = new URL(/<form[^>]*action="([^"]+)"/.exec(html)![1]!.replaceAll("&#x2F;", "/").replaceAll("&amp;", "&"), url);
    const prompt = /name="prompt" value="(\w+)"/.exec(html)![1]!;
    if (login === null) {
      url = new URL(`${action.pathname}/abort`, url);
      response = await browser.get(url.href);
      continue;
    }
    url = action;
    response = await browser.post(action.href, prompt === "login" ? { prompt, login, password: "any" } : { prompt });
  }
  throw new Error("the provider never sent the browser back");
}

/** Starts the sign-in in `app` and returns the callback URL the provider sends back (not yet visited). */
async function throughProvider(app: Client, login: string | null, { redirectTo = "", tamperAuthorize }: { redirectTo?: string; tamperAuthorize?: (url: URL) => void } = {}) {
  const start = await app.post("/auth/test", { redirectTo });
  expect(start.status).toBe(302);
  const authorize = new URL(start.headers.get("Location")!);
  expect(authorize.origin).toBe(idp.issuer);
  expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
  expect(authorize.searchParams.get("state")).toBeTruthy();
  expect(authorize.searchParams.get("nonce")).toBeTruthy();
  tamperAuthorize?.(authorize);
  return atProvider(authorize.href, login);
}

async function signIn(app: Client, login: string, options: { redirectTo?: string } = {}) {
  const callback = await throughProvider(app, login, options);
  return app.get(callback.pathname + callback.search);
}

async function userIdOf(email: string): Promise<number | undefined> {
  return (await server.db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirst())?.id;
}

async function expectRefused(response: Response, status: number, text: RegExp, app: Client) {
  expect(response.status).toBe(status);
  expect(await response.text()).toMatch(text);
  expect(app.cookies.has(SESSION)).toBe(false);
  expect(response.headers.getSetCookie().some((c) => c.startsWith(`${SESSION}=`))).toBe(false);
}

describe("provider buttons and routes", () => {
  it("the login page offers the configured provider", async () => {
    const html = await (await new Client(server.url).get("/login")).text();
    expect(html).toContain("Sign in with Test IdP");
    expect(html).toContain('action="/auth/test"');
  });

  it("an id that is not configured is a 404", async () => {
    const app = new Client(server.url);
    expect((await app.post("/auth/other", {})).status).toBe(404);
    expect((await app.get("/auth/other/callback?code=x&state=y")).status).toBe(404);
  });

  it("without any provider: no buttons and no routes", async () => {
    const plain = await startServer();
    try {
      const app = new Client(plain.url);
      expect(await (await app.get("/login")).text()).not.toContain("Sign in with");
      expect((await app.post("/auth/test", {})).status).toBe(404);
      expect((await app.get("/auth/test/callback")).status).toBe(404);
    } finally {
      await plain.stop();
    }
  });
});

describe("sign-in", () => {
  it("a new identity with a verified email creates a confirmed account and signs in (oidc:test)", async () => {
    const sub = account();
    const { email } = idp.accounts.get(sub)!;
    const app = new Client(server.url);
    const response = await signIn(app, sub, { redirectTo: "/settings/profile" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/settings/profile");
    expect(app.cookies.has(SESSION)).toBe(true);
    const user = await server.db.selectFrom("users").selectAll().where("email", "=", email!).executeTakeFirstOrThrow();
    expect(user.password_hash).toBe("");
    expect(user.email_confirmed_at).not.toBeNull();
    const link = await server.db.selectFrom("user_identities").selectAll().where("subject", "=", sub).executeTakeFirstOrThrow();
    expect(link).toMatchObject({ user_id: user.id, provider: "test", issuer: idp.issuer, email });
    const session = await server.db.selectFrom("sessions").select("method").where("user_id", "=", user.id).executeTakeFirstOrThrow();
    expect(session.method).toBe("oidc:test");
    const logins = await server.db.selectFrom("activity").select("details").where("actor_id", "=", user.id).where("type", "=", "login_succeeded").execute();
    expect(logins.map((l) => JSON.parse(l.details).method)).toEqual(["oidc:test"]);
    expect(await (await app.get("/settings/sessions")).text()).toContain("Test IdP");
  });

  it("the same identity signs in to the same account again; an unsafe redirectTo falls back", async () => {
    const sub = account();
    await signIn(new Client(server.url), sub);
    const again = new Client(server.url);
    const response = await signIn(again, sub, { redirectTo: "//evil.example/x" });
    expect(response.headers.get("Location")).toBe("/dashboard");
    const users = await server.db.selectFrom("users").select("id").where("email", "=", idp.accounts.get(sub)!.email!).execute();
    expect(users).toHaveLength(1);
  });

  it("a provider's name with control characters (a NUL, which PostgreSQL's text cannot hold) is stored without them", async () => {
    const sub = account({ name: "Ada\u0000 Love\u001blace" });
    const response = await signIn(new Client(server.url), sub);
    expect(response.status).toBe(302);
    const user = await server.db.selectFrom("users").select("name").where("email", "=", idp.accounts.get(sub)!.email!).executeTakeFirstOrThrow();
    expect(user.name).toBe("Ada Lovelace");
  });

  it("a redirectTo with a NUL (which PostgreSQL's text cannot hold) is dropped, never a 5xx", async () => {
    const sub = account();
    const response = await signIn(new Client(server.url), sub, { redirectTo: "/settings\u0000/profile" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/dashboard");
  });

  it("a new identity with an unverified email gets an account whose email is not confirmed", async () => {
    const sub = account({ email_verified: false });
    const app = new Client(server.url);
    expect((await signIn(app, sub)).status).toBe(302);
    const user = await server.db.selectFrom("users").selectAll().where("email", "=", idp.accounts.get(sub)!.email!).executeTakeFirstOrThrow();
    expect(user.email_confirmed_at).toBeNull();
  });
});

describe("REGISTRATION=closed", () => {
  it("a new identity with an unknown email gets no account", async () => {
    const closedOrigin = `http://127.0.0.1:${closedPort}`;
    const closed = await startServer({
      PORT: String(closedPort),
      APP_ORIGIN: closedOrigin,
      REGISTRATION: "closed",
      OIDC_TEST_ISSUER: idp.issuer,
      OIDC_TEST_CLIENT_ID: idp.clientId,
      OIDC_TEST_CLIENT_SECRET: idp.clientSecret,
    });
    try {
      const app = new Client(closed.url);
      const sub = account();
      const start = await app.post("/auth/test", {});
      const callback = await atProvider(start.headers.get("Location")!, sub, closedOrigin);
      await expectRefused(await app.get(callback.pathname + callback.search), 403, /Registration is closed/, app);
      expect(await closed.db.selectFrom("users").select("id").where("email", "=", idp.accounts.get(sub)!.email!).executeTakeFirst()).toBeUndefined();
    } finally {
      await closed.stop();
    }
  });
});

describe("refusals: a 4xx page and no session", () => {
  it("a replayed callback", async () => {
    const app = new Client(server.url);
    const callback = await throughProvider(app, account());
    const before = new Map(app.cookies);
    expect((await app.get(callback.pathname + callback.search)).status).toBe(302);
    const replay = new Client(server.url);
    replay.cookies = before;
    await expectRefused(await replay.get(callback.pathname + callback.search), 400, /expired or was already used/, replay);
  });

  it("a tampered state", async () => {
    const app = new Client(server.url);
    const callback = await throughProvider(app, account());
    callback.searchParams.set("state", "tampered");
    await expectRefused(await app.get(callback.pathname + callback.search), 400, /could not be verified/, app);
  });

  it("a tampered nonce (the ID token carries another one)", async () => {
    const app = new Client(server.url);
    const callback = await throughProvider(app, account(), { tamperAuthorize: (url) => url.searchParams.set("nonce", "tampered-nonce") });
    await expectRefused(await app.get(callback.pathname + callback.search), 400, /could not be verified/, app);
  });

  it("a denied consent", async () => {
    const app = new Client(server.url);
    const callback = await throughProvider(app, null);
    expect(callback.searchParams.get("error")).toBe("access_denied");
    await expectRefused(await app.get(callback.pathname + callback.search), 403, /cancelled or not allowed/, app);
  });

  it("a provider error", async () => {
    const app = new Client(server.url);
    const start = await app.post("/auth/test", {});
    const state = new URL(start.headers.get("Location")!).searchParams.get("state")!;
    await expectRefused(await app.get(`/auth/test/callback?error=server_error&state=${state}`), 400, /could not sign you in/, app);
  });

  it("a callback in a browser that did not start the sign-in", async () => {
    const callback = await throughProvider(new Client(server.url), account());
    const other = new Client(server.url);
    await expectRefused(await other.get(callback.pathname + callback.search), 400, /expired or was already used/, other);
  });

  it("refusals are logged", async () => {
    const rows = await server.db.selectFrom("activity").select("details").where("type", "=", "provider_sign_in_refused").execute();
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.every((row) => JSON.parse(row.details).provider === "test")).toBe(true);
  });
});

describe("account linking", () => {
  it("a verified email of an existing account links only after that account's password", async () => {
    const { email } = await registerClient(server);
    const sub = account({ email });
    const app = new Client(server.url);
    const response = await signIn(app, sub, { redirectTo: "/settings/connections" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/auth/test/link");
    expect(app.cookies.has(SESSION)).toBe(false);
    expect(await server.db.selectFrom("user_identities").select("id").where("subject", "=", sub).executeTakeFirst()).toBeUndefined();

    const page = await app.get("/auth/test/link");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(email);
    const wrong = await app.post("/auth/test/link", { password: "not-the-password" });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("Incorrect password.");
    expect(app.cookies.has(SESSION)).toBe(false);

    const right = await app.post("/auth/test/link", { password: PASSWORD });
    expect(right.status).toBe(302);
    expect(right.headers.get("Location")).toBe("/settings/connections");
    expect(app.cookies.has(SESSION)).toBe(true);
    const link = await server.db.selectFrom("user_identities").select("user_id").where("subject", "=", sub).executeTakeFirstOrThrow();
    expect(link.user_id).toBe(await userIdOf(email));
    // Single use: the confirmation cannot be submitted twice.
    expect((await new Client(server.url).post("/auth/test/link", { password: PASSWORD })).status).toBe(410);
  });

  it("an unverified email of an existing account never links, and makes no second account", async () => {
    const { email } = await registerClient(server);
    const sub = account({ email, email_verified: false });
    const app = new Client(server.url);
    await expectRefused(await signIn(app, sub), 409, /Settings › Connections/, app);
    expect(await server.db.selectFrom("user_identities").select("id").where("subject", "=", sub).executeTakeFirst()).toBeUndefined();
    expect(await server.db.selectFrom("users").select("id").where("email", "=", email).execute()).toHaveLength(1);
  });

  it("a signed-in user links from settings (fresh login), and removes the link", async () => {
    const { client, email } = await registerClient(server);
    const sub = account({ email: uniqueEmail("other") });
    const start = await client.post("/settings/connections", { intent: "link", provider: "test" });
    expect(start.status).toBe(302);
    const callback = await atProvider(start.headers.get("Location")!, sub);
    const done = await client.get(callback.pathname + callback.search);
    expect(done.status).toBe(302);
    expect(done.headers.get("Location")).toBe("/settings/connections");
    const page = await (await client.get("/settings/connections")).text();
    expect(page).toContain("Test IdP");
    const link = await server.db.selectFrom("user_identities").selectAll().where("subject", "=", sub).executeTakeFirstOrThrow();
    expect(link.user_id).toBe(await userIdOf(email));

    // The provider now signs in to this account.
    const other = new Client(server.url);
    expect((await signIn(other, sub)).status).toBe(302);
    const session = await server.db.selectFrom("sessions").select("user_id").where("method", "=", "oidc:test").where("user_id", "=", link.user_id).executeTakeFirst();
    expect(session).toBeDefined();

    const removed = await client.post("/settings/connections", { intent: "unlink", identityId: String(link.id) });
    expect(removed.status).toBe(302);
    expect(await server.db.selectFrom("user_identities").select("id").where("id", "=", link.id).executeTakeFirst()).toBeUndefined();
  });

  it("adding or removing needs a fresh login", async () => {
    const { client, email } = await registerClient(server);
    await server.db.updateTable("sessions").set({ fresh_at: null }).where("user_id", "=", (await userIdOf(email))!).execute();
    const response = await client.post("/settings/connections", { intent: "link", provider: "test" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toMatch(/^\/reauthenticate\?/);
  });

  it("an identity linked to another user cannot be linked again", async () => {
    const sub = account();
    await signIn(new Client(server.url), sub);
    const { client } = await registerClient(server);
    const start = await client.post("/settings/connections", { intent: "link", provider: "test" });
    const callback = await atProvider(start.headers.get("Location")!, sub);
    const response = await client.get(callback.pathname + callback.search);
    expect(response.status).toBe(409);
    expect(await response.text()).toContain("already linked to another user");
  });

  it("removing the last way in (no password, no other link) is refused", async () => {
    const sub = account();
    const app = new Client(server.url);
    await signIn(app, sub);
    const link = await server.db.selectFrom("user_identities").select("id").where("subject", "=", sub).executeTakeFirstOrThrow();
    const response = await app.post("/settings/connections", { intent: "unlink", identityId: String(link.id) });
    expect(response.status).toBe(409);
    expect(await response.text()).toContain("only way to sign in");
    expect(await server.db.selectFrom("user_identities").select("id").where("id", "=", link.id).executeTakeFirst()).toBeDefined();
  });

  it("a passkey is a way in: a user with one and no password may remove their only provider", async () => {
    const sub = account();
    const app = new Client(server.url);
    await signIn(app, sub);
    const link = await server.db.selectFrom("user_identities").select(["id", "user_id"]).where("subject", "=", sub).executeTakeFirstOrThrow();
    await server.db
      .insertInto("passkeys")
      .values({ user_id: link.user_id, name: "Phone", credential_id: `cred-${sub}`, public_key: "pk", counter: 0, transports: "[]", device_type: "multiDevice", backed_up: 1, created_at: Date.now(), last_used_at: null })
      .execute();
    const response = await app.post("/settings/connections", { intent: "unlink", identityId: String(link.id) });
    expect(response.status).toBe(302);
    expect(await server.db.selectFrom("user_identities").select("id").where("id", "=", link.id).executeTakeFirst()).toBeUndefined();
  });
});

describe("two-factor after a provider", () => {
  it("a user with TOTP gives a code after the provider; the session is oidc:test+code", async () => {
    const { client, email } = await registerClient(server);
    expect((await client.post("/settings/two-factor", { intent: "start" })).status).toBe(302);
    const setup = await (await client.get("/settings/two-factor")).text();
    const secret = new URL(/otpauth:\/\/totp\/[^<"]+/.exec(setup)![0].replaceAll("&amp;", "&")).searchParams.get("secret")!;
    const code = (steps: number) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });
    expect((await client.post("/settings/two-factor", { intent: "confirm", code: await code(0) })).status).toBe(200);
    const sub = account({ email: uniqueEmail("tfa") });
    const start = await client.post("/settings/connections", { intent: "link", provider: "test" });
    const callback = await atProvider(start.headers.get("Location")!, sub);
    expect((await client.get(callback.pathname + callback.search)).status).toBe(302);

    const app = new Client(server.url);
    const response = await signIn(app, sub);
    expect(response.headers.get("Location")).toBe("/login/two-factor");
    expect(app.cookies.has(SESSION)).toBe(false);
    const done = await app.post("/login/two-factor", { code: await code(1) });
    expect(done.status).toBe(302);
    const id = (await userIdOf(email))!;
    const methods = (await server.db.selectFrom("sessions").select("method").where("user_id", "=", id).execute()).map((s) => s.method);
    expect(methods).toContain("oidc:test+code");
  });
});

describe("admin", () => {
  it("sees a user's linked providers on /admin/users/:id and unlinks one (audited)", async () => {
    const { client: admin, email: adminEmail } = await registerClient(server, "Admin");
    const adminId = (await userIdOf(adminEmail))!;
    const role = await server.db.selectFrom("roles").select("id").where("name", "=", "admin").executeTakeFirstOrThrow();
    await server.db.insertInto("user_roles").values({ user_id: adminId, role_id: role.id }).execute();
    const sub = account();
    await signIn(new Client(server.url), sub);
    const link = await server.db.selectFrom("user_identities").selectAll().where("subject", "=", sub).executeTakeFirstOrThrow();

    const page = await (await admin.get(`/admin/users/${link.user_id}`)).text();
    expect(page).toContain("Sign-in providers");
    expect(page).toContain("Test IdP");
    const response = await admin.post(`/admin/users/${link.user_id}`, { intent: "unlink-identity", identityId: String(link.id) });
    expect(response.status).toBe(302);
    expect(await server.db.selectFrom("user_identities").select("id").where("id", "=", link.id).executeTakeFirst()).toBeUndefined();
    const audit = await server.db.selectFrom("activity").selectAll().where("type", "=", "identity_unlinked").where("subject_id", "=", link.user_id).executeTakeFirstOrThrow();
    expect(audit.actor_id).toBe(adminId);
    expect(JSON.parse(audit.details)).toEqual({ provider: "test" });
  });
});

describe("reauthentication with a linked provider", () => {
  it("an account without a password confirms with its provider; another provider account is refused", async () => {
    const sub = account();
    const app = new Client(server.url);
    await signIn(app, sub);
    const id = (await userIdOf(idp.accounts.get(sub)!.email!))!;
    await server.db.updateTable("sessions").set({ fresh_at: null }).where("user_id", "=", id).execute();
    const stale = await app.post("/settings/connections", { intent: "link", provider: "test" });
    expect(stale.headers.get("Location")).toMatch(/^\/reauthenticate\?/);
    const page = await (await app.get("/reauthenticate")).text();
    expect(page).toContain("Confirm with Test IdP");
    expect(page).not.toContain('name="password"');

    const wrong = await app.post("/reauthenticate", { intent: "provider", provider: "test", redirectTo: "/settings/connections" });
    const wrongCallback = await atProvider(wrong.headers.get("Location")!, account());
    const refused = await app.get(wrongCallback.pathname + wrongCallback.search);
    expect(refused.status).toBe(403);
    expect((await server.db.selectFrom("sessions").select("fresh_at").where("user_id", "=", id).executeTakeFirstOrThrow()).fresh_at).toBeNull();

    const start = await app.post("/reauthenticate", { intent: "provider", provider: "test", redirectTo: "/settings/connections" });
    expect(start.status).toBe(302);
    const callback = await atProvider(start.headers.get("Location")!, sub);
    const done = await app.get(callback.pathname + callback.search);
    expect(done.status).toBe(302);
    expect(done.headers.get("Location")).toBe("/settings/connections");
    expect((await server.db.selectFrom("sessions").select("fresh_at").where("user_id", "=", id).executeTakeFirstOrThrow()).fresh_at).not.toBeNull();
  });
});

describe("an account made by a provider (no password)", () => {
  it("sets a first password without a current one, then signs in with it too", async () => {
    const sub = account();
    const email = idp.accounts.get(sub)!.email as string;
    const app = new Client(server.url);
    await signIn(app, sub);
    const page = await (await app.get("/settings/password")).text();
    expect(page).toContain("Set a password");
    expect(page).not.toContain('name="currentPassword"');

    expect((await app.post("/settings/password", { newPassword: "short" })).status).toBe(400);
    const set = await app.post("/settings/password", { newPassword: PASSWORD });
    expect(set.status).toBe(302);
    expect(await (await app.get("/settings/password")).text()).toContain("Your password is set");

    const browser = new Client(server.url);
    const login = await browser.post("/login", { email, password: PASSWORD });
    expect(login.status).toBe(302);
    expect(login.headers.get("Location")).toBe("/dashboard");
    // From now on, a change needs the current password.
    expect(await (await app.get("/settings/password")).text()).toContain('name="currentPassword"');
  });

  it("deletes the account with a ticked box (no password to ask for); without it, a 400 and nothing deleted", async () => {
    const sub = account();
    const email = idp.accounts.get(sub)!.email as string;
    const app = new Client(server.url);
    await signIn(app, sub);
    const refused = await app.post("/settings/delete-account", {});
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("Tick the box to confirm.");
    expect(await userIdOf(email)).toBeDefined();

    const deleted = await app.post("/settings/delete-account", { confirm: "on" });
    expect(deleted.status).toBe(302);
    expect(deleted.headers.get("Location")).toBe("/");
    expect(await userIdOf(email)).toBeUndefined();
  });
});
