import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countRows, userIdOf } from "../helpers/account";
import { Client, PASSWORD, registerClient, sameDatabase, startServer, type TestServer } from "../helpers/server";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MINUTE = 60_000;

async function login(server: TestServer, email: string, remember: boolean) {
  const client = new Client(server.url);
  const response = await client.post("/login", { email, password: PASSWORD, ...(remember ? { remember: "on" } : {}) });
  expect(response.status).toBe(302);
  return { client, response };
}

const signedIn = async (client: Client) => (await client.get("/dashboard")).status === 200;

/**
 * Moves the user's sessions `ms` into the past, as if that much time had gone
 * by since each was created, last used and last confirmed: the server then
 * sees the same state as after a real wait, without the test waiting (or
 * depending on how fast a loaded machine runs it).
 */
async function passTime(server: TestServer, email: string, ms: number, { remember }: { remember?: boolean } = {}) {
  let query = server.db
    .updateTable("sessions")
    .set((eb) => ({
      created_at: eb("created_at", "-", ms),
      last_seen_at: eb("last_seen_at", "-", ms),
      expires_at: eb("expires_at", "-", ms),
      fresh_at: eb("fresh_at", "-", ms),
    }))
    .where("user_id", "=", await userIdOf(server, email));
  if (remember !== undefined) query = query.where("remember", "=", remember ? 1 : 0);
  await query.execute();
}

describe("absolute timeout and freshness (SESSION_ABSOLUTE_TIMEOUT=30m, FRESH_LOGIN_MAX_AGE=10m)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ SESSION_ABSOLUTE_TIMEOUT: "30m", FRESH_LOGIN_MAX_AGE: "10m", REMEMBER_COOKIE_DURATION: "1h" });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("ends a session without remember me at the absolute timeout even while used; remember me survives it", async () => {
    const { email } = await registerClient(server);
    const plain = await login(server, email, false);
    const remembered = await login(server, email, true);
    expect(remembered.response.headers.get("Set-Cookie")).toMatch(/Max-Age=3600/);
    expect(plain.response.headers.get("Set-Cookie")).not.toMatch(/Max-Age|Expires/);

    // Used every few minutes (well within the 30-minute idle default) up to 29 minutes after login.
    for (const minutes of [5, 5, 5, 5, 5, 4]) {
      await passTime(server, email, minutes * MINUTE);
      expect(await signedIn(plain.client)).toBe(true);
    }
    await passTime(server, email, 2 * MINUTE); // 31 minutes after login, last used 2 minutes ago
    const ended = await plain.client.get("/dashboard");
    expect(ended.status).toBe(302);
    expect(ended.headers.get("Location")).toBe("/login?redirectTo=%2Fdashboard");
    expect(await signedIn(remembered.client)).toBe(true);
  });

  it("a session is fresh only within FRESH_LOGIN_MAX_AGE of the password; reauthenticating makes it fresh again", async () => {
    const { client } = await registerClient(server);
    const { email } = await registerClient(server);
    const { client: remembered } = await login(server, email, true);
    const freshText = "Password confirmed";
    const staleText = "Sensitive settings will ask for your password.";
    expect(await (await remembered.get("/settings/sessions")).text()).toContain(freshText);
    expect(await (await client.get("/settings/sessions")).text()).toContain(freshText);
    await passTime(server, email, 9 * MINUTE);
    expect(await (await remembered.get("/settings/sessions")).text()).toContain(freshText);
    await passTime(server, email, 2 * MINUTE);
    const stale = await (await remembered.get("/settings/sessions")).text();
    expect(stale).toContain(staleText);
    expect(stale).not.toContain(freshText);
    // Another account's session, whose password is recent, stays fresh.
    expect(await (await client.get("/settings/sessions")).text()).toContain(freshText);

    const before = remembered.cookies.get("__session");
    const reauth = await remembered.post("/reauthenticate", { password: PASSWORD, redirectTo: "/settings/sessions" });
    expect(reauth.status).toBe(302);
    expect(reauth.headers.get("Location")).toBe("/settings/sessions");
    expect(reauth.headers.get("Set-Cookie")).toMatch(/Max-Age=3600/);
    expect(remembered.cookies.get("__session")).not.toBe(before);
    expect(await (await remembered.get("/settings/sessions")).text()).toContain(freshText);
  });
});

describe("idle timeout (SESSION_IDLE_TIMEOUT=5m)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ SESSION_IDLE_TIMEOUT: "5m" });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("keeps a session in use alive past the idle timeout and ends an unused one", async () => {
    const { client: busy, email } = await registerClient(server);
    const { client: idle } = await login(server, email, false);
    const { client: remembered } = await login(server, email, true);
    // Four minutes at a time, three times: the busy session, used after each, lives 12 minutes on.
    for (let i = 0; i < 3; i++) {
      await passTime(server, email, 4 * MINUTE);
      expect(await signedIn(busy)).toBe(true);
    }
    expect(await signedIn(idle)).toBe(false);
    // A remember-me session has no idle timeout.
    expect(await signedIn(remembered)).toBe(true);
  });

  it("writes last seen a tenth of the idle timeout apart (30 s here), not on every request", async () => {
    const { client, email } = await registerClient(server);
    const lastSeen = async () =>
      (await server.db.selectFrom("sessions").select("last_seen_at").where("user_id", "=", await userIdOf(server, email)).executeTakeFirstOrThrow())
        .last_seen_at;
    await passTime(server, email, 10_000);
    const tenSecondsAgo = await lastSeen();
    for (let i = 0; i < 5; i++) expect(await signedIn(client)).toBe(true);
    expect(await lastSeen()).toBe(tenSecondsAgo);
    await passTime(server, email, 30_000);
    const before = Date.now();
    expect(await signedIn(client)).toBe(true);
    expect(await lastSeen()).toBeGreaterThanOrEqual(before);
  });
});

describe("sliding remember me (REMEMBER_COOKIE_REFRESH_EACH_REQUEST=true)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ REMEMBER_COOKIE_REFRESH_EACH_REQUEST: "true", REMEMBER_COOKIE_DURATION: "1d" });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("re-sends the remember cookie with a new expiry and slides the server-side expiry", async () => {
    const { email } = await registerClient(server);
    const { client } = await login(server, email, true);
    const sid = client.cookies.get("__session");
    await server.db
      .updateTable("sessions")
      .set((eb) => ({ last_seen_at: eb("last_seen_at", "-", 120_000), expires_at: eb("expires_at", "-", 120_000) }))
      .where("user_id", "=", (eb) => eb.selectFrom("users").select("id").where("email", "=", email))
      .where("remember", "=", 1)
      .execute();
    const response = await client.get("/dashboard");
    expect(response.status).toBe(200);
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith("__session="));
    expect(cookie).toMatch(/Max-Age=86400/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(client.cookies.get("__session")).toBe(sid);
    const { expires_at } = await server.db
      .selectFrom("sessions")
      .select("expires_at")
      .where("user_id", "=", (eb) => eb.selectFrom("users").select("id").where("email", "=", email))
      .where("remember", "=", 1)
      .executeTakeFirstOrThrow();
    expect(expires_at).toBeGreaterThan(Date.now() + 86_400_000 - 10_000);
  });

  it("does not send a cookie to a session without remember me", async () => {
    const { client } = await registerClient(server);
    const response = await client.get("/dashboard");
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie().filter((c) => c.startsWith("__session="))).toEqual([]);
  });
});

describe("without REMEMBER_COOKIE_REFRESH_EACH_REQUEST (the default)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("sends no session cookie on ordinary requests of a remember-me session", async () => {
    const { email } = await registerClient(server);
    const { client } = await login(server, email, true);
    const response = await client.get("/dashboard");
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie().filter((c) => c.startsWith("__session="))).toEqual([]);
  });

  it("removes expired sessions at start (housekeeping)", async () => {
    const { email } = await registerClient(server);
    const id = await userIdOf(server, email);
    await server.db.updateTable("sessions").set({ expires_at: 1 }).where("user_id", "=", id).execute();
    const count = () => countRows(server, "sessions", (q) => q.where("user_id", "=", id));
    expect(await count()).toBe(1);
    const restarted = await startServer({}, sameDatabase(server));
    try {
      const started = Date.now();
      while ((await count()) > 0 && Date.now() - started < 30_000) await sleep(50);
      expect(await count()).toBe(0);
    } finally {
      await restarted.stop();
    }
  });
});
