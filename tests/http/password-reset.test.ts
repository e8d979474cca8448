import { describe, expect, it } from "vitest";
import { activityOf, isSignedOut, lastHeaderValue, loginClient, userByEmail } from "../helpers/account";
import { callApi, createToken } from "../helpers/api";
import { linkIn, tokenIn } from "../helpers/mail-message";
import { Client, PASSWORD, registerClient, type TestServer, uniqueEmail, useServerWithMail } from "../helpers/server";
import type { SmtpSink } from "../helpers/smtp-sink";

const APP_ORIGIN = "http://accounts.test";
const NEW_PASSWORD = "violet-tuba-orbit-44";

let server: TestServer;
let sink: SmtpSink;
useServerWithMail({ APP_ORIGIN }, (started) => ({ server, sink } = started));

const anon = () => new Client(server.url);

/** Asks for a reset link for `email` and returns the token from the delivered mail. */
async function requestResetToken(email: string): Promise<string> {
  const response = await anon().post("/forgot-password", { email });
  expect(response.status).toBe(200);
  return tokenIn(await sink.waitForMail(email, { subject: /Reset your/ }), "/reset-password");
}

/** Opens the link as a browser would: token into the cookie, then the clean page. */
async function openResetLink(token: string): Promise<{ client: Client; page: Response }> {
  const client = anon();
  const exchange = await client.get(`/reset-password?token=${encodeURIComponent(token)}`);
  expect(exchange.status).toBe(302);
  expect(exchange.headers.get("Location")).toBe("/reset-password");
  return { client, page: await client.get("/reset-password") };
}

describe("/forgot-password", () => {
  it("answers the same for every address, and only a real account gets a mail and an activity entry", async () => {
    const { email } = await registerClient(server);
    const unknown = uniqueEmail("nobody");
    const answer = async (address: string, path = "/forgot-password") => {
      const response = await anon().post(path, { email: address });
      const body = (await response.text()).replaceAll(address, "EMAIL").replace(/nonce="[^"]+"/g, 'nonce="N"');
      return { status: response.status, body };
    };
    const forUnknown = await answer(unknown);
    const forKnown = await answer(email);
    expect(forKnown.status).toBe(200);
    expect(forUnknown).toEqual(forKnown);
    expect(forKnown.body).toContain("If an account exists for EMAIL, we have sent it a link");
    // Single fetch (JavaScript on) answers alike too.
    expect(await answer(unknown, "/forgot-password.data")).toEqual(await answer(email, "/forgot-password.data"));

    const mail = await sink.waitForMail(email, { subject: /^Reset your Remix Auth Kit password$/ });
    expect(linkIn(mail, `${APP_ORIGIN}/reset-password?token=`)).toMatch(/^http:\/\/accounts\.test\/reset-password\?token=[\w-]{43}$/);
    expect(sink.mailsTo(unknown)).toEqual([]);

    const user = (await userByEmail(server, email))!;
    const requested = (await activityOf(server, user.id)).filter((entry) => entry.type === "password_reset_requested");
    expect(requested.length).toBeGreaterThanOrEqual(1);
    expect(requested[0]).toMatchObject({ actor_id: null, subject_id: user.id, details: "{}" });
  });

  it("refuses a malformed address with 400 and a message for the field", async () => {
    const response = await anon().post("/forgot-password", { email: "not-an-address" });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Enter a valid email address.");
  });

  it("builds the link from APP_ORIGIN, whatever Host the request names", async () => {
    const { email } = await registerClient(server);
    await anon().post("/forgot-password", { email }, { headers: { Host: "evil.example", "X-Forwarded-Host": "evil.example" } });
    const mail = await sink.waitForMail(email, { subject: /Reset your/ });
    expect(mail.text).not.toContain("evil.example");
    expect(mail.html).not.toContain("evil.example");
    expect(linkIn(mail, APP_ORIGIN)).toMatch(/^http:\/\/accounts\.test\/reset-password\?token=/);
  });

  it("sends no-referrer, and still takes the plain form posts such pages make (Origin: null, Sec-Fetch-Site: same-origin)", async () => {
    expect(lastHeaderValue(await anon().get("/forgot-password"), "Referrer-Policy")).toBe("no-referrer");
    const email = uniqueEmail("opaque");
    const sameOrigin = await anon().post("/forgot-password", { email }, { headers: { Origin: "null", "Sec-Fetch-Site": "same-origin" } });
    expect(sameOrigin.status).toBe(200);
    // An opaque origin the browser does not vouch for stays refused.
    const crossSite = await anon().post("/forgot-password", { email }, { headers: { Origin: "null", "Sec-Fetch-Site": "cross-site" } });
    expect(crossSite.status).toBeGreaterThanOrEqual(400);
  });
});

describe("/reset-password", () => {
  it("moves the link's token into a short-lived HttpOnly cookie and redirects to the clean URL, with no-referrer", async () => {
    const { email } = await registerClient(server);
    const token = await requestResetToken(email);
    const client = anon();
    const exchange = await client.get(`/reset-password?token=${token}`);
    expect(exchange.status).toBe(302);
    expect(exchange.headers.get("Location")).toBe("/reset-password");
    expect(lastHeaderValue(exchange, "Referrer-Policy")).toBe("no-referrer");
    const cookie = exchange.headers.getSetCookie().find((c) => c.startsWith("__session_reset="))!;
    expect(cookie).toMatch(/; Max-Age=900;/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);

    const page = await client.get("/reset-password");
    expect(page.status).toBe(200);
    expect(lastHeaderValue(page, "Referrer-Policy")).toBe("no-referrer");
    const html = await page.text();
    expect(html).toContain("Choose a new password");
    expect(html).toContain('<meta name="referrer" content="no-referrer"/>');
    expect(html).not.toContain(token);
  });

  it("refuses a weak password with the reason, then resets: every session ends, a mail tells the owner, the new password works", async () => {
    const { client: first, email } = await registerClient(server, "Reset Owner");
    const second = await loginClient(server, email, PASSWORD);
    const token = await requestResetToken(email);
    const { client } = await openResetLink(token);

    const weak = await client.post("/reset-password", { password: "password123" });
    expect(weak.status).toBe(400);
    expect(await weak.text()).toContain("This password is too easy to guess. This is a commonly used password.");
    const personal = await client.post("/reset-password.data", { password: email });
    expect(personal.status).toBe(400);
    expect(await personal.text()).toContain("There should not be any personal or page related data.");
    const short = await client.post("/reset-password", { password: "short" });
    expect(short.status).toBe(400);
    expect(await short.text()).toContain("Password must be at least 8 characters.");
    expect(await isSignedOut(first)).toBe(false);

    const done = await client.post("/reset-password", { password: NEW_PASSWORD });
    expect(done.status).toBe(302);
    expect(done.headers.get("Location")).toBe("/login");
    expect(client.cookies.has("__session_reset")).toBe(false);
    expect(await (await client.get("/login")).text()).toContain("Your password has been changed. Log in with your new password.");

    expect(await isSignedOut(first)).toBe(true);
    expect(await isSignedOut(second)).toBe(true);
    const notice = await sink.waitForMail(email, { subject: /password was changed/ });
    expect(notice.text).toContain("The password of your account was just changed");
    expect(notice.html).toContain("The password of your account was just changed");

    expect((await anon().post("/login", { email, password: PASSWORD })).status).toBe(400);
    expect((await anon().post("/login", { email, password: NEW_PASSWORD })).status).toBe(302);
    const user = (await userByEmail(server, email))!;
    expect((await activityOf(server, user.id)).map((e) => e.type)).toContain("password_reset");
    // Opening the link proved the address works.
    expect(user.email_confirmed_at).not.toBeNull();
  });

  it("takes back an account whose address was never confirmed: its passkeys, linked providers, two-factor and API tokens go, recorded; a confirmed one keeps them", async () => {
    const setUp = async (confirmed: boolean) => {
      const { client, email } = await registerClient(server, "Squatted Maybe");
      const { id } = (await userByEmail(server, email))!;
      if (confirmed) await server.db.updateTable("users").set({ email_confirmed_at: Date.now() }).where("id", "=", id).execute();
      const now = Date.now();
      await server.db.insertInto("user_identities").values({ user_id: id, provider: "test", issuer: "https://idp.test", subject: `sub-${id}`, email: null, created_at: now, last_used_at: null }).execute();
      await server.db
        .insertInto("passkeys")
        .values({ user_id: id, name: "Squatter's key", credential_id: `cred-${id}`, public_key: "pk", counter: 0, transports: "[]", device_type: "multiDevice", backed_up: 1, created_at: now, last_used_at: null })
        .execute();
      await server.db.insertInto("two_factor").values({ user_id: id, secret_encrypted: "sealed", confirmed_at: now, last_time_step: null, created_at: now }).execute();
      await server.db.insertInto("recovery_code_keys").values({ user_id: id, key_encrypted: "sealed", created_at: now }).execute();
      await server.db.insertInto("recovery_codes").values({ user_id: id, code_hash: `hash-${id}`, created_at: now }).execute();
      const token = await createToken(client, { name: "kept?", scopes: ["profile:read"] });
      return { email, id, token };
    };
    const count = async (table: "user_identities" | "passkeys" | "two_factor" | "recovery_code_keys" | "recovery_codes", id: number) =>
      (await server.db.selectFrom(table).select("user_id").where("user_id", "=", id).execute()).length;
    const remains = async (id: number, token: string) => ({
      identities: await count("user_identities", id),
      passkeys: await count("passkeys", id),
      twoFactor: [await count("two_factor", id), await count("recovery_code_keys", id), await count("recovery_codes", id)],
      token: (await callApi(server, "/api/v1/me", { token })).status,
    });
    const squatted = await setUp(false);
    const owned = await setUp(true);
    for (const { email } of [squatted, owned]) {
      const { client } = await openResetLink(await requestResetToken(email));
      expect((await client.post("/reset-password", { password: NEW_PASSWORD })).status).toBe(302);
    }
    expect(await remains(squatted.id, squatted.token)).toEqual({ identities: 0, passkeys: 0, twoFactor: [0, 0, 0], token: 401 });
    expect(await remains(owned.id, owned.token)).toEqual({ identities: 1, passkeys: 1, twoFactor: [1, 1, 1], token: 200 });
    const removals = async (id: number) =>
      (await activityOf(server, id)).map((entry) => entry.type).filter((type) => ["passkey_removed", "two_factor_disabled", "password_reset"].includes(type));
    expect(await removals(squatted.id)).toEqual(["passkey_removed", "two_factor_disabled", "password_reset"]);
    expect(await removals(owned.id)).toEqual(["password_reset"]);
  });

  it("lifts the login lockout of the account: the new password logs in at once", async () => {
    const { email } = await registerClient(server);
    const locked = anon();
    for (let i = 0; i < 5; i++) expect((await locked.post("/login", { email, password: "not-the-password" })).status).toBe(400);
    expect((await locked.post("/login", { email, password: PASSWORD })).status).toBe(429);

    const { client } = await openResetLink(await requestResetToken(email));
    expect((await client.post("/reset-password", { password: NEW_PASSWORD })).status).toBe(302);
    const login = await (await client.get("/login")).text();
    expect(login).toContain("Your password has been changed");
    expect(login).not.toContain("Too many attempts");

    const signIn = await client.post("/login", { email, password: NEW_PASSWORD });
    expect(signIn.status).toBe(302);
    expect(await signIn.text()).not.toContain("Too many attempts");
    expect(await isSignedOut(client)).toBe(false);
  });

  it("works once: the same link again gets a clear page", async () => {
    const { email } = await registerClient(server);
    const token = await requestResetToken(email);
    const { client } = await openResetLink(token);
    expect((await client.post("/reset-password", { password: NEW_PASSWORD })).status).toBe(302);

    const { page } = await openResetLink(token);
    expect(page.status).toBe(410);
    const html = await page.text();
    expect(html).toContain("This link has already been used");
    expect(html).not.toContain('name="password"');
    // A replayed POST with the old cookie is refused as well.
    const replay = anon();
    await replay.get(`/reset-password?token=${token}`);
    expect((await replay.post("/reset-password", { password: "another-fine-passphrase-7" })).status).toBe(410);
  });

  it("expires after RESET_TOKEN_MAX_AGE", async () => {
    const { email } = await registerClient(server);
    const token = await requestResetToken(email);
    const user = (await userByEmail(server, email))!;
    await server.db
      .updateTable("account_tokens")
      .set({ expires_at: Date.now() - 1 })
      .where("user_id", "=", user.id)
      .where("purpose", "=", "password_reset")
      .execute();
    const { page } = await openResetLink(token);
    expect(page.status).toBe(410);
    expect(await page.text()).toContain("This link has expired");
  });

  it("issues links that last one hour by default", async () => {
    const { email } = await registerClient(server);
    const before = Date.now();
    await requestResetToken(email);
    const user = (await userByEmail(server, email))!;
    const row = await server.db
      .selectFrom("account_tokens")
      .select(["created_at", "expires_at"])
      .where("user_id", "=", user.id)
      .where("purpose", "=", "password_reset")
      .executeTakeFirstOrThrow();
    expect(row.created_at).toBeGreaterThanOrEqual(before);
    expect(row.expires_at - row.created_at).toBe(3_600_000);
  });

  it("voids a link once a newer one is sent", async () => {
    const { email } = await registerClient(server);
    const older = await requestResetToken(email);
    const newer = await requestResetToken(email);
    const { page: olderPage } = await openResetLink(older);
    expect(olderPage.status).toBe(410);
    expect(await olderPage.text()).toContain("This link has been replaced");
    const { page: newerPage } = await openResetLink(newer);
    expect(newerPage.status).toBe(200);
  });

  it("voids a link once the password changes another way", async () => {
    const { client, email } = await registerClient(server);
    const token = await requestResetToken(email);
    const changed = await client.post("/settings/password", { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(changed.status).toBe(302);
    const { page } = await openResetLink(token);
    expect(page.status).toBe(410);
    expect(await page.text()).toContain("This link has been replaced");
  });

  it("refuses an altered token, a forged cookie and a visit without a link with clear pages", async () => {
    const { email } = await registerClient(server);
    const token = await requestResetToken(email);
    const altered = `${token.slice(0, 20)}${token[20] === "a" ? "b" : "a"}${token.slice(21)}`;
    const { page } = await openResetLink(altered);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain("This link is not valid");

    const forged = anon();
    forged.cookies.set("__session_reset", encodeURIComponent(`"${token}"`));
    const forgedPage = await forged.get("/reset-password");
    expect(forgedPage.status).toBe(400);
    expect(await forgedPage.text()).toContain("Open the link from your email");
    expect((await forged.post("/reset-password", { password: NEW_PASSWORD })).status).toBe(400);

    const bare = await anon().get("/reset-password");
    expect(bare.status).toBe(400);
    expect(await bare.text()).toContain("Open the link from your email");
    // The real link still works: nothing above spent it.
    expect((await openResetLink(token)).page.status).toBe(200);
  });
});
