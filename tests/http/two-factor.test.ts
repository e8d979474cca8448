import { generate } from "otplib";
import { describe, expect, it } from "vitest";
import { countRows, makeStale, userIdOf } from "../helpers/account";
import { Client, grantRole, PASSWORD, registerClient, type TestServer, useServerWithMail } from "../helpers/server";
import type { SmtpSink } from "../helpers/smtp-sink";

let server: TestServer;
let sink: SmtpSink;
useServerWithMail({}, (started) => ({ server, sink } = started));

const PENDING_COOKIE = "__session_2fa";

/** The TOTP code `steps` time steps from now (+1 is a code not yet used by the step the setup confirmed). */
function totp(secret: string, steps = 0): Promise<string> {
  return generate({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });
}

function userId(email: string): Promise<number> {
  return userIdOf(server, email);
}

async function activityTypes(email: string): Promise<string[]> {
  const rows = await server.db.selectFrom("activity").select("type").where("actor_id", "=", await userId(email)).orderBy("id").execute();
  return rows.map((r) => r.type);
}

/** The user's rows in `table`. */
async function countOf(table: "sessions" | "two_factor" | "recovery_codes", email: string): Promise<number> {
  const id = await userId(email);
  return countRows(server, table, (q) => q.where("user_id", "=", id));
}

/** Registers (a fresh login), turns two-factor on through the settings page and returns what the user saw. */
async function userWithTwoFactor() {
  const { client, email } = await registerClient(server);
  expect((await client.post("/settings/two-factor", { intent: "start" })).status).toBe(302);
  const page = await (await client.get("/settings/two-factor")).text();
  const uri = /otpauth:\/\/totp\/[^<"]+/.exec(page)![0].replaceAll("&amp;", "&");
  const secret = new URL(uri).searchParams.get("secret")!;
  expect(page).toContain("<svg");
  const setupCode = await totp(secret);
  const confirmed = await client.post("/settings/two-factor", { intent: "confirm", code: setupCode });
  expect(confirmed.status).toBe(200);
  const recoveryCodes = [...(await confirmed.text()).matchAll(/<code>([2-9a-z]{5}-[2-9a-z]{5})<\/code>/g)].map((m) => m[1]!);
  return { client, email, uri, secret, recoveryCodes, setupCode };
}

/** Logs in with the password only; returns the client holding the pending-login cookie. */
async function passwordStep(email: string, form: Record<string, string> = {}) {
  const client = new Client(server.url);
  const response = await client.post("/login", { email, password: PASSWORD, ...form });
  expect(response.status).toBe(302);
  expect(response.headers.get("Location")).toBe("/login/two-factor");
  return client;
}

describe("/settings/two-factor", () => {
  it("needs a fresh login, in the loader and in the action", async () => {
    const anonymous = await new Client(server.url).get("/settings/two-factor");
    expect(anonymous.headers.get("Location")).toBe("/login?redirectTo=%2Fsettings%2Ftwo-factor");
    const { client, email } = await registerClient(server);
    await makeStale(server, email);
    for (const response of [await client.get("/settings/two-factor"), await client.post("/settings/two-factor", { intent: "start" })]) {
      expect(response.status).toBe(302);
      expect(response.headers.get("Location")).toBe("/reauthenticate?redirectTo=%2Fsettings%2Ftwo-factor");
    }
    expect(await countOf("two_factor", email)).toBe(0);
  });

  it("shows the QR code and the otpauth URI, and turns on only after a correct code", async () => {
    const { client, email } = await registerClient(server);
    await client.post("/settings/two-factor", { intent: "start" });
    const page = await (await client.get("/settings/two-factor")).text();
    const uri = /otpauth:\/\/totp\/[^<"]+/.exec(page)![0].replaceAll("&amp;", "&");
    expect(uri).toMatch(new RegExp(`^otpauth://totp/Remix%20Auth%20Kit:${encodeURIComponent(email)}\\?secret=[A-Z2-7]{32}&issuer=Remix%20Auth%20Kit$`));

    const wrong = await client.post("/settings/two-factor", { intent: "confirm", code: "000000" });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("That code is not right.");
    const empty = await client.post("/settings/two-factor", { intent: "confirm", code: "" });
    expect(empty.status).toBe(400);
    const bogus = await client.post("/settings/two-factor", { intent: "launch-missiles" });
    expect(bogus.status).toBe(400);
    // Still off: logging in needs only the password.
    expect((await new Client(server.url).post("/login", { email, password: PASSWORD })).headers.get("Location")).toBe("/dashboard");
  });

  it("shows ten recovery codes once, stores them hashed, logs and notifies", async () => {
    const { client, email, secret, recoveryCodes } = await userWithTwoFactor();
    expect(recoveryCodes).toHaveLength(10);
    const stored = await server.db.selectFrom("recovery_codes").select("code_hash").where("user_id", "=", await userId(email)).execute();
    expect(stored).toHaveLength(10);
    expect(JSON.stringify(stored)).not.toContain(recoveryCodes[0]!.replace("-", ""));
    expect(await activityTypes(email)).toContain("two_factor_enabled");
    const notice = await sink.waitForMail(email, { subject: /Two-factor authentication is on$/ });
    expect(notice.text).toContain("Two-factor authentication was turned on for your account.");

    // After enablement the page (and its data) never carry the secret or the codes again.
    for (const path of ["/settings/two-factor", "/settings/two-factor.data"]) {
      const body = await (await client.get(path)).text();
      expect(body).not.toContain(secret);
      expect(body).not.toContain("otpauth://");
      expect(body).not.toContain(recoveryCodes[1]!);
    }
    const row = await server.db.selectFrom("two_factor").select("secret_encrypted").where("user_id", "=", await userId(email)).executeTakeFirstOrThrow();
    expect(row.secret_encrypted).not.toContain(secret);
  });

  it("regenerating recovery codes kills the old set", async () => {
    const { client, email, recoveryCodes } = await userWithTwoFactor();
    const response = await client.post("/settings/two-factor", { intent: "regenerate-codes" });
    expect(response.status).toBe(200);
    const fresh = [...(await response.text()).matchAll(/<code>([2-9a-z]{5}-[2-9a-z]{5})<\/code>/g)].map((m) => m[1]!);
    expect(fresh).toHaveLength(10);
    expect(await activityTypes(email)).toContain("recovery_codes_regenerated");

    const old = await passwordStep(email);
    expect((await old.post("/login/two-factor", { code: recoveryCodes[0]! })).status).toBe(400);
    expect((await old.post("/login/two-factor", { code: fresh[0]! })).status).toBe(302);
  });

  it("turns off only with a correct code, then logs and notifies", async () => {
    const { client, email, secret } = await userWithTwoFactor();
    const wrong = await client.post("/settings/two-factor", { intent: "disable", code: "123456" });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("That code is not valid.");
    const missing = await client.post("/settings/two-factor", { intent: "disable" });
    expect(missing.status).toBe(400);

    const response = await client.post("/settings/two-factor", { intent: "disable", code: await totp(secret, 1) });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/settings/two-factor");
    expect(await countOf("two_factor", email)).toBe(0);
    expect(await countOf("recovery_codes", email)).toBe(0);
    expect(await activityTypes(email)).toEqual(expect.arrayContaining(["two_factor_failed", "two_factor_disabled"]));
    await sink.waitForMail(email, { subject: /Two-factor authentication is off$/ });
    expect((await new Client(server.url).post("/login", { email, password: PASSWORD })).headers.get("Location")).toBe("/dashboard");
  });
});

describe("logging in with two-factor", () => {
  it("the password alone gives a pending cookie, not a session: protected routes stay closed", async () => {
    const { email } = await userWithTwoFactor();
    const sessions = () => countOf("sessions", email);
    const before = await sessions();
    const client = await passwordStep(email, { remember: "on", redirectTo: "/dashboard/notes" });
    expect(client.cookies.has("__session")).toBe(false);
    expect(client.cookies.has(PENDING_COOKIE)).toBe(true);
    for (const path of ["/dashboard", "/settings/two-factor", "/dashboard.data"]) {
      const response = await client.get(path);
      expect(response.headers.get("Location") ?? response.headers.get("X-Remix-Redirect") ?? (await response.text()), path).toContain("/login?redirectTo=");
    }
    expect(await sessions()).toEqual(before);
    expect((await client.get("/login/two-factor")).status).toBe(200);
  });

  it("the right code opens the session, with remember me granted only now, and follows redirectTo", async () => {
    const { email, secret } = await userWithTwoFactor();
    const client = await passwordStep(email, { remember: "on", redirectTo: "/dashboard/notes" });
    const response = await client.post("/login/two-factor", { code: await totp(secret, 1) });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/dashboard/notes");
    const session = response.headers.getSetCookie().find((c) => c.startsWith("__session="))!;
    expect(session).toMatch(/Max-Age=2592000/);
    expect(session).toMatch(/Expires=/);
    expect(client.cookies.has(PENDING_COOKIE)).toBe(false);
    expect((await client.get("/dashboard")).status).toBe(200);
    // The session and the activity log remember how it was signed in.
    const methods = await server.db.selectFrom("sessions").select("method").where("user_id", "=", await userId(email)).orderBy("created_at").execute();
    expect(methods.map((r) => r.method)).toEqual(["password", "password+code"]);
    const logged = await server.db
      .selectFrom("activity")
      .select("details")
      .where("actor_id", "=", await userId(email))
      .where("type", "=", "login_succeeded")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(logged.details)).toMatchObject({ method: "password+code", remember: true });
    expect(await (await client.get("/settings/sessions")).text()).toMatch(/Signed in with<\/dt><dd>Password and code<\/dd>/);
  });

  it("refuses a replayed code", async () => {
    const { email, secret } = await userWithTwoFactor();
    const code = await totp(secret, 1);
    expect((await (await passwordStep(email)).post("/login/two-factor", { code })).status).toBe(302);
    const replay = await (await passwordStep(email)).post("/login/two-factor", { code });
    expect(replay.status).toBe(400);
    const page = await replay.text();
    expect(page).toContain("That code was already used. Wait for the next code");
    expect(page).not.toContain("That code is not valid.");
    expect(await activityTypes(email)).toContain("two_factor_failed");
  });

  it("says a code used at setup was already used, and to wait for the next one; the next code logs in", async () => {
    const { email, secret, setupCode } = await userWithTwoFactor();
    const client = await passwordStep(email);
    const sameCode = await client.post("/login/two-factor", { code: setupCode });
    expect(sameCode.status).toBe(400);
    const page = await sameCode.text();
    expect(page).toContain("That code was already used. Wait for the next code to appear in your app");
    expect(page).not.toContain("That code is not valid.");
    expect((await client.post("/login/two-factor", { code: await totp(secret, 1) })).status).toBe(302);
  });

  it("accepts a recovery code once", async () => {
    const { email, recoveryCodes } = await userWithTwoFactor();
    const first = await (await passwordStep(email)).post("/login/two-factor", { code: recoveryCodes[3]!.toUpperCase() });
    expect(first.status).toBe(302);
    expect(await activityTypes(email)).toContain("recovery_code_used");
    expect((await (await passwordStep(email)).post("/login/two-factor", { code: recoveryCodes[3]! })).status).toBe(400);
  });

  it("works as a JavaScript (single fetch) submission", async () => {
    const { email, secret } = await userWithTwoFactor();
    const client = await passwordStep(email);
    expect((await client.post("/login/two-factor.data", { code: "000000" })).status).toBe(400);
    const response = await client.post("/login/two-factor.data", { code: await totp(secret, 1) });
    expect(response.status).toBe(202);
    expect(client.cookies.has("__session")).toBe(true);
  });

  it("without a pending login, /login/two-factor sends you to log in", async () => {
    const client = new Client(server.url);
    for (const response of [await client.get("/login/two-factor"), await client.post("/login/two-factor", { code: "123456" })]) {
      expect(response.status).toBe(302);
      expect(response.headers.get("Location")).toBe("/login");
    }
    client.cookies.set(PENDING_COOKIE, "eyJ1c2VySWQiOjF9.forged");
    expect((await client.get("/login/two-factor")).headers.get("Location")).toBe("/login");
  });

  it("limits code guesses: after five wrong codes even the right one gets 429 with Retry-After", async () => {
    const { email, secret } = await userWithTwoFactor();
    const client = await passwordStep(email);
    for (let i = 0; i < 5; i++) expect((await client.post("/login/two-factor", { code: String(100000 + i) })).status).toBe(400);
    const response = await client.post("/login/two-factor", { code: await totp(secret, 1) });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(await response.text()).toContain("Too many attempts");
    // A new password step does not reset the code count.
    const again = await passwordStep(email);
    expect((await again.post("/login/two-factor", { code: await totp(secret, 1) })).status).toBe(429);
  });
});

describe("the pending login is server-side and single use (issue 11)", () => {
  it("a pending cookie replayed after its login completed opens nothing, and spends no code", async () => {
    const { email, secret, recoveryCodes } = await userWithTwoFactor();
    const client = await passwordStep(email);
    const kept = client.cookies.get(PENDING_COOKIE)!;
    expect((await client.post("/login/two-factor", { code: await totp(secret, 1) })).status).toBe(302);

    const replay = new Client(server.url);
    replay.cookies.set(PENDING_COOKIE, kept);
    const response = await replay.post("/login/two-factor", { code: recoveryCodes[0]! });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login");
    expect(replay.cookies.has("__session")).toBe(false);
    // The recovery code was not spent on the refused replay.
    expect((await (await passwordStep(email)).post("/login/two-factor", { code: recoveryCodes[0]! })).status).toBe(302);
  });

  it("a pending login dies when the password changes", async () => {
    const { client: owner, email, recoveryCodes } = await userWithTwoFactor();
    const attacker = await passwordStep(email);
    const changed = await owner.post("/settings/password", { currentPassword: PASSWORD, newPassword: "quartz-willow-harbor-58" });
    expect(changed.status).toBe(302);
    const response = await attacker.post("/login/two-factor", { code: recoveryCodes[1]! });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login");
    expect(attacker.cookies.has("__session")).toBe(false);
  });

  it("a pending login ends at its server-side expiry, whatever the cookie says", async () => {
    const { email, recoveryCodes } = await userWithTwoFactor();
    const client = await passwordStep(email);
    await server.db.updateTable("pending_logins").set({ expires_at: Date.now() - 1 }).where("user_id", "=", await userId(email)).execute();
    const response = await client.post("/login/two-factor", { code: recoveryCodes[2]! });
    expect(response.headers.get("Location")).toBe("/login");
    expect(client.cookies.has("__session")).toBe(false);
  });
});

describe("an admin resets a user's two-factor (a lost phone)", () => {
  it("turns it off, logs it with the admin as actor, mails the user; the password alone logs in again", async () => {
    const admin = await registerClient(server, "Reset Admin");
    await grantRole(server, admin.email);
    const { email } = await userWithTwoFactor();
    const page = await (await admin.client.get(`/admin/users/${await userId(email)}`)).text();
    expect(page).toContain("Reset two-factor");

    const response = await admin.client.post(`/admin/users/${await userId(email)}`, { intent: "reset-two-factor" });
    expect(response.status).toBe(302);
    expect(await countOf("two_factor", email)).toBe(0);
    expect(await countOf("recovery_codes", email)).toBe(0);
    expect(
      await server.db.selectFrom("activity").select("actor_id").where("type", "=", "two_factor_reset").where("subject_id", "=", await userId(email)).executeTakeFirst(),
    ).toEqual({
      actor_id: await userId(admin.email),
    });
    const notice = await sink.waitForMail(email, { subject: /Two-factor authentication was reset$/ });
    expect(notice.text).toContain("An administrator turned off two-factor authentication for your account");
    expect((await new Client(server.url).post("/login", { email, password: PASSWORD })).headers.get("Location")).toBe("/dashboard");
  });
});

describe("/reauthenticate with two-factor", () => {
  it("asks for the code too", async () => {
    const { client, email, secret } = await userWithTwoFactor();
    await makeStale(server, email);
    const page = await (await client.get("/reauthenticate")).text();
    expect(page).toContain('name="code"');

    const passwordOnly = await client.post("/reauthenticate", { password: PASSWORD });
    expect(passwordOnly.status).toBe(400);
    const wrongCode = await client.post("/reauthenticate", { password: PASSWORD, code: "000000" });
    expect(wrongCode.status).toBe(400);
    expect(await wrongCode.text()).toContain("Incorrect password or code.");
    const wrongPassword = await client.post("/reauthenticate", { password: "not-the-password", code: await totp(secret, 1) });
    expect(await wrongPassword.text()).toContain("Incorrect password or code.");

    const response = await client.post("/reauthenticate", { password: PASSWORD, code: await totp(secret, 1), redirectTo: "/settings/two-factor" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/settings/two-factor");
    expect((await client.get("/settings/two-factor")).status).toBe(200);
  });
});
