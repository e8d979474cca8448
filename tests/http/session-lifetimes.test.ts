import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countRows, userIdOf } from "../helpers/account";
import { Client, PASSWORD, registerClient, sameDatabase, startServer, type TestServer } from "../helpers/server";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function login(server: TestServer, email: string, remember: boolean) {
  const client = new Client(server.url);
  const response = await client.post("/login", { email, password: PASSWORD, ...(remember ? { remember: "on" } : {}) });
  expect(response.status).toBe(302);
  return { client, response };
}

const signedIn = async (client: Client) => (await client.get("/dashboard")).status === 200;

describe("absolute timeout and freshness (SESSION_ABSOLUTE_TIMEOUT=2s, FRESH_LOGIN_MAX_AGE=2s)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ SESSION_ABSOLUTE_TIMEOUT: "2s", FRESH_LOGIN_MAX_AGE: "2s", REMEMBER_COOKIE_DURATION: "1h" });
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

    const started = Date.now();
    while (Date.now() - started < 1_500) {
      expect(await signedIn(plain.client)).toBe(true);
      await sleep(300);
    }
    await sleep(Math.max(0, 2_100 - (Date.now() - started)));
    const ended = await plain.client.get("/dashboard");
    expect(ended.status).toBe(302);
    expect(ended.headers.get("Location")).toBe("/login?redirectTo=%2Fdashboard");
    expect(await signedIn(remembered.client)).toBe(true);
  });

  it("a session is fresh only within FRESH_LOGIN_MAX_AGE of the password; reauthenticating makes it fresh again", async () => {
    const { client } = await registerClient(server);
    // Remember me keeps this session past the 2 s absolute timeout; freshness still ends.
    const { email } = await registerClient(server);
    const { client: remembered } = await login(server, email, true);
    const freshText = "Password confirmed";
    const staleText = "Sensitive settings will ask for your password.";
    expect(await (await remembered.get("/settings/sessions")).text()).toContain(freshText);
    expect(await (await client.get("/settings/sessions")).text()).toContain(freshText);
    await sleep(2_100);
    const stale = await (await remembered.get("/settings/sessions")).text();
    expect(stale).toContain(staleText);
    expect(stale).not.toContain(freshText);

    const before = remembered.cookies.get("__session");
    const reauth = await remembered.post("/reauthenticate", { password: PASSWORD, redirectTo: "/settings/sessions" });
    expect(reauth.status).toBe(302);
    expect(reauth.headers.get("Location")).toBe("/settings/sessions");
    expect(reauth.headers.get("Set-Cookie")).toMatch(/Max-Age=3600/);
    expect(remembered.cookies.get("__session")).not.toBe(before);
    expect(await (await remembered.get("/settings/sessions")).text()).toContain(freshText);
  });
});

describe("idle timeout (SESSION_IDLE_TIMEOUT=2s)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ SESSION_IDLE_TIMEOUT: "2s" });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("keeps a session in use alive past the idle timeout and ends an unused one", async () => {
    const { client: busy, email } = await registerClient(server);
    const { client: idle } = await login(server, email, false);
    const { client: remembered } = await login(server, email, true);
    const started = Date.now();
    while (Date.now() - started < 3_000) {
      expect(await signedIn(busy)).toBe(true);
      await sleep(400);
    }
    expect(await signedIn(busy)).toBe(true);
    expect(await signedIn(idle)).toBe(false);
    // A remember-me session has no idle timeout.
    expect(await signedIn(remembered)).toBe(true);
  });

  it("writes last seen about a tenth of the idle timeout apart, not on every request", async () => {
    const { client, email } = await registerClient(server);
    const lastSeen = async () =>
      (
        await server.db
          .selectFrom("sessions")
          .innerJoin("users", "users.id", "sessions.user_id")
          .select("sessions.last_seen_at")
          .where("users.email", "=", email)
          .executeTakeFirstOrThrow()
      ).last_seen_at;
    const first = await lastSeen();
    const writes = new Set<number>();
    for (let i = 0; i < 10; i++) {
      await client.get("/dashboard");
      writes.add(await lastSeen());
    }
    // Ten requests in well under a second: at most a few writes (one per 200 ms).
    expect(writes.size).toBeLessThanOrEqual(5);
    expect(Math.max(...writes)).toBeGreaterThanOrEqual(first);
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
      while ((await count()) > 0 && Date.now() - started < 5_000) await sleep(50);
      expect(await count()).toBe(0);
    } finally {
      await restarted.stop();
    }
  });
});
