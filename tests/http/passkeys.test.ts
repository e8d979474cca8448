import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newDatabaseUrl, serverDatabase } from "../helpers/database";
import { Client, PASSWORD, registerClient, startServer, type TestServer } from "../helpers/server";
import { type CeremonyOptions, SoftAuthenticator } from "../helpers/webauthn";

/**
 * Passkeys over HTTP, with a software authenticator (tests/helpers/webauthn.ts)
 * in place of the browser's. Only the app's HTTP and `server.db` are used, so
 * the file runs on SQLite and PostgreSQL alike.
 */

const ORIGIN = "http://localhost:4321";
let server: TestServer;
beforeAll(async () => {
  server = await startServer(
    { APP_ORIGIN: ORIGIN, LOGIN_RATE_LIMIT: "3 per minute", LOGIN_IP_RATE_LIMIT: "10000 per hour" },
    serverDatabase(await newDatabaseUrl()),
  );
});
afterAll(async () => {
  await server?.stop();
});

async function options(client: Client, purpose: string): Promise<CeremonyOptions> {
  const response = await client.request(`/passkeys/options/${purpose}`, { method: "POST" });
  expect(response.status).toBe(200);
  expect(response.headers.get("Content-Type")).toMatch(/application\/json/);
  return (await response.json()) as CeremonyOptions;
}

async function userId(email: string): Promise<number> {
  return (await server.db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow()).id;
}

async function passkeyRows(id: number) {
  return server.db.selectFrom("passkeys").selectAll().where("user_id", "=", id).orderBy("id").execute();
}

async function makeStale(id: number) {
  await server.db.updateTable("sessions").set({ fresh_at: null }).where("user_id", "=", id).execute();
}

async function activity(id: number) {
  return server.db.selectFrom("activity").select(["type", "details"]).where((eb) => eb.or([eb("actor_id", "=", id), eb("subject_id", "=", id)])).orderBy("id").execute();
}

/** A registered user with one passkey (added through the settings page). */
async function userWithPasskey(name = "MacBook Touch ID") {
  const { client, email } = await registerClient(server);
  const authenticator = new SoftAuthenticator(ORIGIN);
  const response = await client.post("/settings/passkeys", {
    intent: "add",
    name,
    response: JSON.stringify(authenticator.register(await options(client, "register"))),
  });
  expect(response.status).toBe(302);
  return { client, email, id: await userId(email), authenticator };
}

/** Posts a passkey login for `authenticator` from a new, anonymous browser. */
async function passkeyLogin(authenticator: SoftAuthenticator, tweaks = {}, client = new Client(server.url)) {
  const assertion = authenticator.assert(await options(client, "login"), tweaks);
  const response = await client.post("/login", { intent: "passkey", response: JSON.stringify(assertion), redirectTo: "/dashboard/notes" });
  return { client, response, assertion };
}

async function sessionCount(id: number): Promise<number> {
  return (await server.db.selectFrom("sessions").select("id_hash").where("user_id", "=", id).execute()).length;
}

describe("/settings/passkeys", () => {
  it("adds a passkey, lists it with when it was created and last used, renames and removes it", async () => {
    const { client, id, authenticator } = await userWithPasskey();
    const [row] = await passkeyRows(id);
    expect(row).toMatchObject({ name: "MacBook Touch ID", credential_id: authenticator.id, transports: '["internal"]', device_type: "singleDevice", backed_up: 0 });
    expect(Number(row!.counter)).toBe(0);
    let page = await (await client.get("/settings/passkeys")).text();
    expect(page).toContain("MacBook Touch ID");
    expect(page).toContain("Never");

    expect((await client.post("/settings/passkeys", { intent: "rename", passkeyId: String(row!.id), name: "Work laptop" })).status).toBe(302);
    page = await (await client.get("/settings/passkeys")).text();
    expect(page).toContain("Work laptop");

    expect((await client.post("/settings/passkeys", { intent: "delete", passkeyId: String(row!.id) })).status).toBe(302);
    expect(await passkeyRows(id)).toEqual([]);
    expect((await activity(id)).map((e) => e.type)).toEqual(expect.arrayContaining(["passkey_added", "passkey_renamed", "passkey_removed"]));
  });

  it("holds at most 20 passkeys per user, even when two are added at the same moment", async () => {
    const { client, id } = await userWithPasskey();
    const filler = Array.from({ length: 18 }, (_, i) => ({
      user_id: id,
      name: `Filler ${i}`,
      credential_id: `filler-${id}-${i}`,
      public_key: "pk",
      counter: 0,
      transports: "[]",
      device_type: "multiDevice",
      backed_up: 1,
      created_at: Date.now(),
      last_used_at: null,
    }));
    await server.db.insertInto("passkeys").values(filler).execute();
    const ceremonies = await Promise.all([1, 2].map(async () => new SoftAuthenticator(ORIGIN).register(await options(client, "register"))));
    const answers = await Promise.all(
      ceremonies.map((response, i) => client.post("/settings/passkeys", { intent: "add", name: `Last ${i}`, response: JSON.stringify(response) })),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([302, 400]);
    expect(await passkeyRows(id)).toHaveLength(20);
  });

  it("a user without a password cannot remove their only way in (409, with a message)", async () => {
    const { client, id } = await userWithPasskey();
    await server.db.updateTable("users").set({ password_hash: "" }).where("id", "=", id).execute();
    const [row] = await passkeyRows(id);
    const refused = await client.post("/settings/passkeys", { intent: "delete", passkeyId: String(row!.id) });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain("This is your only way to sign in. Set a password, add a passkey or link a provider before you remove it.");
    expect(await passkeyRows(id)).toHaveLength(1);
  });

  it("adding and removing need a fresh login; another user's passkey is not found", async () => {
    const { client, id } = await userWithPasskey();
    const [row] = await passkeyRows(id);
    const other = await registerClient(server);
    expect((await other.client.post("/settings/passkeys", { intent: "delete", passkeyId: String(row!.id) })).status).toBe(404);
    expect((await other.client.post("/settings/passkeys", { intent: "rename", passkeyId: String(row!.id), name: "Mine" })).status).toBe(404);
    await makeStale(id);
    for (const response of [
      await client.post("/settings/passkeys", { intent: "delete", passkeyId: String(row!.id) }),
      await client.post("/settings/passkeys", { intent: "add", name: "x", response: "{}" }),
      await client.request("/passkeys/options/register", { method: "POST" }),
    ]) {
      expect(response.status).toBe(302);
      expect(response.headers.get("Location")).toMatch(/^\/reauthenticate\?redirectTo=/);
    }
    expect(await passkeyRows(id)).toHaveLength(1);
  });

  it("without JavaScript (no response field) says plainly that passkeys need it", async () => {
    const { client } = await registerClient(server);
    const response = await client.post("/settings/passkeys", { intent: "add", name: "Laptop" });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Adding a passkey needs JavaScript");
  });

  it("refuses a registration for another origin with 400, stores nothing and logs it", async () => {
    const { client, email } = await registerClient(server);
    const authenticator = new SoftAuthenticator(ORIGIN);
    const response = await client.post("/settings/passkeys", {
      intent: "add",
      name: "Phish",
      response: JSON.stringify(authenticator.register(await options(client, "register"), { origin: "https://evil.example" })),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("The passkey response was made for another website.");
    const id = await userId(email);
    expect(await passkeyRows(id)).toEqual([]);
    expect((await activity(id)).at(-1)).toMatchObject({ type: "passkey_refused" });
  });
});

describe("signing in with a passkey", () => {
  it("needs no email: a new session id, method passkey, no two-factor step, recorded with its method", async () => {
    const { id, authenticator } = await userWithPasskey();
    // Two-factor on: the passkey (with user verification) is both factors.
    await server.db.insertInto("two_factor").values({ user_id: id, secret_encrypted: "x", confirmed_at: Date.now(), last_time_step: null, created_at: Date.now() }).execute();
    const client = new Client(server.url);
    await client.get("/login");
    client.cookies.set("__session", "pre-login-value");
    const { response } = await passkeyLogin(authenticator, {}, client);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/dashboard/notes");
    expect(client.cookies.get("__session")).not.toBe("pre-login-value");
    expect((await client.get("/dashboard/notes")).status).toBe(200);
    const sessions = await server.db.selectFrom("sessions").select("method").where("user_id", "=", id).execute();
    expect(sessions.map((s) => s.method)).toContain("passkey");
    const login = (await activity(id)).filter((e) => e.type === "login_succeeded").at(-1);
    expect(JSON.parse(login!.details)).toMatchObject({ method: "passkey" });
    const [row] = await passkeyRows(id);
    expect(Number(row!.counter)).toBe(1);
    expect(row!.last_used_at).not.toBeNull();
  });

  it("refuses a replayed assertion with 400: no session, the counter unchanged, logged", async () => {
    const { id, authenticator } = await userWithPasskey();
    const { assertion } = await passkeyLogin(authenticator);
    const sessions = await sessionCount(id);
    const replay = new Client(server.url);
    const response = await replay.post("/login", { intent: "passkey", response: JSON.stringify(assertion) });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("This passkey request has expired or was already used.");
    expect(replay.cookies.has("__session")).toBe(false);
    expect(await sessionCount(id)).toBe(sessions);
    expect(Number((await passkeyRows(id))[0]!.counter)).toBe(1);
    // The log line arrives through the server's stdout, shortly after the response.
    await expect.poll(() => server.logs.some((line) => line.includes('"passkey refused"') && line.includes('"reason":"challenge"'))).toBe(true);
  });

  it.each([
    ["a wrong origin", { origin: "https://evil.example" }, "The passkey response was made for another website.", "origin"],
    ["a wrong RP id", { rpId: "evil.example" }, "The passkey response was made for another website.", "rp-id"],
    ["a counter that goes backwards", { counter: 0 }, "signature counter went backwards", "counter"],
    ["no user verification", { userVerified: false }, "did not verify you", "user-verification"],
  ])("refuses %s with 400, changes nothing and records it", async (_label, tweaks, message, reason) => {
    const { id, authenticator } = await userWithPasskey();
    await passkeyLogin(authenticator, { counter: 7 });
    const sessions = await sessionCount(id);
    const { response, client } = await passkeyLogin(authenticator, tweaks);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(message);
    expect(client.cookies.has("__session")).toBe(false);
    expect(await sessionCount(id)).toBe(sessions);
    expect(Number((await passkeyRows(id))[0]!.counter)).toBe(7);
    const refused = (await activity(id)).filter((e) => e.type === "passkey_refused").at(-1);
    expect(JSON.parse(refused!.details)).toEqual({ reason, step: "login" });
  });

  it("refuses an unknown credential with 400 and logs it", async () => {
    const { response } = await passkeyLogin(new SoftAuthenticator(ORIGIN));
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("This passkey is not registered here.");
    await expect.poll(() => server.logs.some((line) => line.includes('"passkey refused"') && line.includes('"reason":"unknown-credential"'))).toBe(true);
  });

  it("refuses an unreadable response with 400, never 500", async () => {
    for (const value of ["", "not json", "{}", JSON.stringify({ id: "a", rawId: "a", type: "public-key", response: {} })]) {
      const response = await new Client(server.url).post("/login", { intent: "passkey", response: value });
      expect(response.status).toBe(400);
    }
  });

  it("is rate-limited like a password: after LOGIN_RATE_LIMIT failures even the right passkey gets 429", async () => {
    const { id, authenticator } = await userWithPasskey();
    for (let i = 0; i < 3; i++) expect((await passkeyLogin(authenticator, { origin: "https://evil.example" })).response.status).toBe(400);
    const { response } = await passkeyLogin(authenticator);
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect((await activity(id)).map((e) => e.type)).toContain("lockout");
  });

  it("the login page offers passkeys in the email field's autofill and says plainly when JavaScript is off", async () => {
    const html = await (await new Client(server.url).get("/login")).text();
    expect(html).toMatch(/autocomplete="username webauthn"/i);
    expect(html).toContain("Passkeys need JavaScript. Without it, log in with your email and password.");
  });

  it("keeps the forms-only rule (JSON is refused with 415) and the same-origin check on the options endpoint", async () => {
    const json = await new Client(server.url).request("/login", { method: "POST", body: "{}", headers: { "Content-Type": "application/json" } });
    expect(json.status).toBe(415);
    const challenges = async () => (await server.db.selectFrom("passkey_challenges").select("challenge_hash").execute()).length;
    const before = await challenges();
    const crossSite = await new Client(server.url).request("/passkeys/options/login", { method: "POST", headers: { Origin: "https://evil.example" } });
    expect(crossSite.status).toBe(403);
    expect(await challenges()).toBe(before);
  });
});

describe("reauthenticating with a passkey", () => {
  it("rotates the session id and makes it fresh, and the activity says how", async () => {
    const { client, id, authenticator } = await userWithPasskey();
    await makeStale(id);
    const before = client.cookies.get("__session");
    const page = await (await client.get("/reauthenticate")).text();
    expect(page).toContain("or use one of your passkeys");
    const assertion = authenticator.assert(await options(client, "reauthenticate"));
    const response = await client.post("/reauthenticate", { intent: "passkey", response: JSON.stringify(assertion), redirectTo: "/settings/passkeys" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/settings/passkeys");
    expect(client.cookies.get("__session")).not.toBe(before);
    const sessions = await server.db.selectFrom("sessions").select("fresh_at").where("user_id", "=", id).execute();
    expect(sessions.some((s) => s.fresh_at !== null)).toBe(true);
    const entry = (await activity(id)).filter((e) => e.type === "reauthenticated").at(-1);
    expect(JSON.parse(entry!.details)).toEqual({ with: "passkey" });
  });

  it("refuses another user's passkey with 400; the session stays stale", async () => {
    const { client, id } = await userWithPasskey();
    const { authenticator: theirs } = await userWithPasskey();
    await makeStale(id);
    const assertion = theirs.assert(await options(client, "reauthenticate"));
    const response = await client.post("/reauthenticate", { intent: "passkey", response: JSON.stringify(assertion) });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("This passkey belongs to another account.");
    const sessions = await server.db.selectFrom("sessions").select("fresh_at").where("user_id", "=", id).execute();
    expect(sessions.every((s) => s.fresh_at === null)).toBe(true);
    const refused = (await activity(id)).filter((e) => e.type === "passkey_refused").at(-1);
    expect(JSON.parse(refused!.details)).toEqual({ reason: "other-user", step: "reauthenticate" });
  });

  it("the password still works there", async () => {
    const { client, id } = await userWithPasskey();
    await makeStale(id);
    expect((await client.post("/reauthenticate", { password: PASSWORD })).status).toBe(302);
  });
});

describe("/admin/users/:id", () => {
  it("shows how many passkeys a user has; an admin removes them, and the audit log says who", async () => {
    const { id, authenticator } = await userWithPasskey();
    const admin = await registerClient(server, "Admin");
    const adminId = await userId(admin.email);
    const role = await server.db.selectFrom("roles").select("id").where("name", "=", "admin").executeTakeFirstOrThrow();
    await server.db.insertInto("user_roles").values({ user_id: adminId, role_id: role.id }).execute();
    const page = await (await admin.client.get(`/admin/users/${id}`)).text();
    expect(page).toMatch(/<dt>Passkeys<\/dt><dd>1 passkey<\/dd>/);
    const response = await admin.client.post(`/admin/users/${id}`, { intent: "remove-passkeys" });
    expect(response.status).toBe(302);
    expect(await passkeyRows(id)).toEqual([]);
    const removed = await server.db.selectFrom("activity").selectAll().where("type", "=", "passkey_removed").where("subject_id", "=", id).executeTakeFirstOrThrow();
    expect(removed).toMatchObject({ actor_id: adminId });
    expect(JSON.parse(removed.details)).toEqual({ passkeys: 1 });
    // The removed passkey no longer signs anyone in.
    expect((await passkeyLogin(authenticator)).response.status).toBe(400);
  });
});

describe("the signed-out options endpoint", () => {
  it("is counted per address (API_IP_RATE_LIMIT): over the limit, a JSON 429 with Retry-After and no new challenge", async () => {
    const limited = await startServer({ API_IP_RATE_LIMIT: "3 per minute" }, serverDatabase(await newDatabaseUrl()));
    try {
      const ask = () => new Client(limited.url).request("/passkeys/options/login", { method: "POST" });
      for (let i = 0; i < 3; i++) expect((await ask()).status).toBe(200);
      const count = async () => (await limited.db.selectFrom("passkey_challenges").select("challenge_hash").execute()).length;
      expect(await count()).toBe(3);
      const refused = await ask();
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
      expect(await refused.json()).toMatchObject({ message: expect.stringMatching(/^Too many attempts/) });
      expect(await count()).toBe(3);
    } finally {
      await limited.stop();
    }
  });
});
