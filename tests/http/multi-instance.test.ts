import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newDatabaseUrl, serverDatabase, testDialect } from "../helpers/database";
import { Client, PASSWORD, registerClient, startServer, type TestServer, uniqueEmail } from "../helpers/server";

/**
 * Two instances of the build, one database (a PostgreSQL database on the
 * `postgres` project, one shared SQLite file on the `sqlite` project), as
 * behind a load balancer without sticky sessions: whatever one instance
 * decides, the other sees at its next request. Both start together on an
 * empty database, so they also race to migrate it.
 */

const OLD_SECRET = "multi-instance-old-secret-0123456789abcdef012345";
const NEW_SECRET = "multi-instance-new-secret-0123456789abcdef012345";
// What must match across instances: the secrets, the public origin, the settings.
const SHARED = { APP_ORIGIN: "http://auth.example.test", SESSION_SECRET: OLD_SECRET, LOGIN_IP_RATE_LIMIT: "1000 per hour" };

let databaseUrl: string;
let a: TestServer;
let b: TestServer;

async function startPair(env: Record<string, string> = {}): Promise<[TestServer, TestServer]> {
  const where = serverDatabase(databaseUrl);
  const [first, second] = await Promise.all([startServer({ ...SHARED, ...env }, where), startServer({ ...SHARED, ...env }, where)]);
  return [first, second];
}

/** The same browser (one cookie jar) talking to another instance, as a load balancer would send it. */
function sameBrowserOn(server: TestServer, client: Client): Client {
  const other = new Client(server.url);
  other.cookies = client.cookies;
  return other;
}

async function signIn(server: TestServer, email: string, password = PASSWORD): Promise<Client> {
  const client = new Client(server.url);
  const response = await client.post("/login", { email, password });
  expect(response.status, `login on ${server.url}`).toBe(302);
  return client;
}

async function isSignedIn(client: Client): Promise<boolean> {
  const response = await client.get("/dashboard");
  if (response.status === 200) return true;
  expect(response.status).toBe(302);
  expect(response.headers.get("Location")).toMatch(/^\/login\?/);
  return false;
}

async function userId(server: TestServer, email: string): Promise<number> {
  const row = await server.db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow();
  return row.id;
}

/** Gives an account a role directly in the shared database (as `npm run user -- set-role` would). */
async function grantRole(server: TestServer, email: string, role: string): Promise<void> {
  const [user, roleRow] = await Promise.all([
    server.db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow(),
    server.db.selectFrom("roles").select("id").where("name", "=", role).executeTakeFirstOrThrow(),
  ]);
  await server.db.insertInto("user_roles").values({ user_id: user.id, role_id: roleRow.id }).execute();
}

describe(`two instances on one ${testDialect === "postgres" ? "PostgreSQL database" : "SQLite file"}`, () => {
  beforeAll(async () => {
    databaseUrl = await newDatabaseUrl();
    [a, b] = await startPair();
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it("both migrated the empty database at once, and the migrations ran once", async () => {
    const applied = await a.db.selectFrom("kysely_migration" as never).select("name" as never).execute();
    expect(applied.length).toBeGreaterThanOrEqual(8);
    const migrated = [...a.logs, ...b.logs].filter((line) => line.includes('"database migrated"'));
    expect(migrated).toHaveLength(1);
  });

  it("accepts a session cookie from A on B, and the other way round", async () => {
    const { client, email } = await registerClient(a, "Roaming User");
    expect(await isSignedIn(sameBrowserOn(b, client))).toBe(true);
    const onB = await signIn(b, email);
    expect(await isSignedIn(sameBrowserOn(a, onB))).toBe(true);
  });

  it("a session revoked on B is anonymous on A at its next request", async () => {
    const { client: laptopOnA, email } = await registerClient(a, "Two Devices");
    const phoneOnB = await signIn(b, email);
    const laptop = await a.db
      .selectFrom("sessions")
      .select("public_id")
      .where("user_id", "=", await userId(a, email))
      .orderBy("created_at", "asc")
      .executeTakeFirstOrThrow();
    const revoked = await phoneOnB.post("/settings/sessions", { intent: "revoke", sessionId: laptop.public_id });
    expect(revoked.status).toBeLessThan(400);
    expect(await isSignedIn(laptopOnA)).toBe(false);
    expect(await isSignedIn(phoneOnB)).toBe(true);
  });

  it("counts failed logins on A toward the lock on B", async () => {
    const { email } = await registerClient(a, "Locked Out");
    for (let i = 0; i < 5; i++) {
      const failed = await new Client(a.url).post("/login", { email, password: "wrong password" });
      expect(failed.status).toBe(400);
    }
    const onB = await new Client(b.url).post("/login", { email, password: PASSWORD });
    expect(onB.status).toBe(429);
    expect(Number(onB.headers.get("Retry-After"))).toBeGreaterThan(0);
  });

  it("a role given on A applies on B at the next request", async () => {
    const { client: memberOnB, email: memberEmail } = await registerClient(b, "Soon Admin");
    expect((await memberOnB.get("/admin/users")).status).toBe(403);
    const adminEmail = uniqueEmail("admin");
    await registerClient(a, "Admin On A").then(async ({ email }) => {
      await a.db.updateTable("users").set({ email: adminEmail }).where("email", "=", email).execute();
    });
    await grantRole(a, adminEmail, "admin");
    const adminOnA = await signIn(a, adminEmail);
    const id = await userId(a, memberEmail);
    const updated = await adminOnA.post(`/admin/users/${id}`, { intent: "update", name: "Soon Admin", email: memberEmail, role: "admin", active: "on" });
    expect(updated.status).toBe(302);
    expect((await memberOnB.get("/admin/users")).status).toBe(200);
  });

  it("a password changed on A ends the sessions on B", async () => {
    const { client: onA, email } = await registerClient(a, "Changes Password");
    const onB = await signIn(b, email);
    const changed = await onA.post("/settings/password", { currentPassword: PASSWORD, newPassword: "a-brand-new-passphrase-42" });
    expect(changed.status).toBe(302);
    expect(await isSignedIn(onB)).toBe(false);
    expect(await isSignedIn(onA)).toBe(true);
    expect((await new Client(b.url).post("/login", { email, password: "a-brand-new-passphrase-42" })).status).toBe(302);
  });

  it("rotates SESSION_SECRET across both: old cookies live through the rotation, new ones work everywhere", async () => {
    const { email } = await registerClient(a, "Rotating");
    const before = await signIn(b, email);

    // Step 1 on every instance: the new secret signs, the old one still verifies.
    await Promise.all([a.stop(), b.stop()]);
    [a, b] = await startPair({ SESSION_SECRET: `${NEW_SECRET},${OLD_SECRET}` });
    expect(await isSignedIn(sameBrowserOn(a, before))).toBe(true);
    expect(await isSignedIn(sameBrowserOn(b, before))).toBe(true);
    const after = await signIn(a, email);
    expect(await isSignedIn(sameBrowserOn(b, after))).toBe(true);

    // Step 2, once every instance has step 1: the old secret goes; cookies signed with it are anonymous.
    await Promise.all([a.stop(), b.stop()]);
    [a, b] = await startPair({ SESSION_SECRET: NEW_SECRET });
    expect(await isSignedIn(sameBrowserOn(b, after))).toBe(true);
    expect(await isSignedIn(sameBrowserOn(a, before))).toBe(false);
  });
});
