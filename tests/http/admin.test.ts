import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeStale } from "../helpers/account";
import { Client, PASSWORD, registerClient, startServer, type TestServer, uniqueEmail, grantRole } from "../helpers/server";

let server: TestServer;
let admin: { client: Client; email: string; id: number };
/** A user the tests try to change; nobody but an admin may. */
let target: { client: Client; email: string; id: number };

const anon = () => new Client(server.url);

async function userId(email: string, on: TestServer = server): Promise<number> {
  return (await on.db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow()).id;
}

async function rolesOf(email: string): Promise<string[]> {
  const rows = await server.db
    .selectFrom("user_roles")
    .innerJoin("roles", "roles.id", "user_roles.role_id")
    .innerJoin("users", "users.id", "user_roles.user_id")
    .select("roles.name")
    .where("users.email", "=", email)
    .orderBy("roles.name")
    .execute();
  return rows.map((r) => r.name);
}

/** Gives an account the admin role directly in the database (as `npm run user -- set-role` would). */
function makeAdmin(email: string): Promise<void> {
  return grantRole(server, email);
}

async function registered(name = "Http User") {
  const { client, email } = await registerClient(server, name);
  return { client, email, id: await userId(email) };
}

/** Everything an admin action could change, to check that a refused one changed nothing. */
async function snapshot(): Promise<string> {
  const db = server.db;
  const users = await db.selectFrom("users").select(["id", "email", "name", "active", "updated_at"]).orderBy("id").execute();
  const roles = await db.selectFrom("user_roles").select(["user_id", "role_id"]).orderBy("user_id").orderBy("role_id").execute();
  const sessions = await db
    .selectFrom("sessions")
    .select((eb) => ["user_id", eb.fn.countAll<number>().as("n")])
    .groupBy("user_id")
    .orderBy("user_id")
    .execute();
  const activity = await db
    .selectFrom("activity")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("type", "not in", ["login_succeeded", "registered"])
    .executeTakeFirstOrThrow();
  return JSON.stringify({ users, roles, sessions, activity });
}

beforeAll(async () => {
  server = await startServer();
  admin = await registered("Ada Admin");
  await makeAdmin(admin.email);
  target = await registered("Tess Target");
});
afterAll(async () => {
  await server?.stop();
});

const ADMIN_PAGES = ["/admin/users", "/admin/users?q=tess&page=2", "/admin/users/new", "/admin/users/:target", "/admin/audit", "/admin/audit?type=login_failed"];
const pathOf = (page: string) => page.replace(":target", String(target.id));
const dataPath = (path: string) => {
  const [pathname, query] = path.split("?");
  return `${pathname}.data${query ? `?${query}` : ""}`;
};

/** Every form post of the admin area: [path, fields]. */
const ADMIN_POSTS: [string, () => string, () => Record<string, string>][] = [
  ["create", () => "/admin/users/new", () => ({ name: "Sneaky", email: uniqueEmail("sneaky"), password: "long enough pw", role: "admin", active: "on" })],
  ["update", () => `/admin/users/${target.id}`, () => ({ intent: "update", name: "Hacked", email: target.email, role: "admin", active: "on" })],
  ["deactivate", () => `/admin/users/${target.id}`, () => ({ intent: "update", name: "Tess Target", email: target.email, role: "user" })],
  ["end-sessions", () => `/admin/users/${target.id}`, () => ({ intent: "end-sessions" })],
  ["reset-two-factor", () => `/admin/users/${target.id}`, () => ({ intent: "reset-two-factor" })],
  ["delete", () => `/admin/users/${target.id}`, () => ({ intent: "delete" })],
  ["unknown intent", () => `/admin/users/${target.id}`, () => ({ intent: "frobnicate" })],
];

describe("admin routes, anonymous", () => {
  it.each(ADMIN_PAGES.map((p) => [p]))("GET %s goes to log in and comes back", async (page) => {
    const path = pathOf(page);
    const response = await anon().get(path);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/login?redirectTo=${encodeURIComponent(path)}`);
    const data = await anon().get(dataPath(path));
    const body = await data.text();
    expect(data.status).toBeLessThan(400);
    expect(data.headers.get("X-Remix-Redirect") ?? body).toContain("/login?redirectTo=");
    expect(body).not.toContain(target.email);
  });

  it.each(ADMIN_POSTS)("POST (%s) goes to log in and changes nothing", async (_name, path, fields) => {
    const before = await snapshot();
    for (const url of [path(), `${path()}.data`]) {
      const response = await anon().post(url, fields());
      expect(response.status).toBeLessThan(400);
      expect(response.headers.get("Location") ?? (await response.text())).toContain("/login?redirectTo=");
    }
    expect(await snapshot()).toBe(before);
  });

  it("runs the guard before reading the body: an anonymous unreadable form goes to log in, not a 400", async () => {
    const response = await anon().request(`/admin/users/${target.id}`, {
      method: "POST",
      headers: { "Content-Type": "multipart/form-data; boundary=nope" },
      body: "this is not multipart at all",
    });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/login?redirectTo=${encodeURIComponent(`/admin/users/${target.id}`)}`);
  });
});

describe("admin writes need a fresh login", () => {
  let stale: { client: Client; email: string; id: number };
  beforeAll(async () => {
    stale = await registered("Stale Admin");
    await makeAdmin(stale.email);
  });

  it.each(ADMIN_POSTS)("POST (%s) on a stale session goes to /reauthenticate and changes nothing", async (_name, path, fields) => {
    await makeStale(server, stale.email);
    const before = await snapshot();
    const plain = await stale.client.post(path(), fields());
    expect(plain.status).toBe(302);
    expect(plain.headers.get("Location")).toBe(`/reauthenticate?redirectTo=${encodeURIComponent(path())}`);
    const fetched = await stale.client.post(`${path()}.data`, fields());
    expect(fetched.status).toBeLessThan(400);
    expect(fetched.headers.get("Location") ?? (await fetched.text())).toContain("/reauthenticate?redirectTo=");
    expect(await snapshot()).toBe(before);
  });

  it("the new-user form asks for the password first; reading users does not", async () => {
    await makeStale(server, stale.email);
    const form = await stale.client.get("/admin/users/new");
    expect(form.status).toBe(302);
    expect(form.headers.get("Location")).toBe("/reauthenticate?redirectTo=%2Fadmin%2Fusers%2Fnew");
    expect((await stale.client.get("/admin/users")).status).toBe(200);
    expect((await stale.client.get(`/admin/users/${target.id}`)).status).toBe(200);
  });
});

describe("an admin's own email change", () => {
  it("goes through the confirmation flow: nothing changes until the new address confirms", async () => {
    const self = await registered("Self Mover");
    await makeAdmin(self.email);
    const newEmail = uniqueEmail("self-moved");
    const response = await self.client.post(`/admin/users/${self.id}`, { intent: "update", name: "Self Mover", email: newEmail, role: "admin", active: "on" });
    expect(response.status).toBe(302);
    expect(await (await self.client.get(response.headers.get("Location")!)).text()).toContain(`We sent a confirmation link to ${newEmail}.`);
    expect(await userId(self.email)).toBe(self.id);
    const pending = await server.db
      .selectFrom("account_tokens")
      .select("email")
      .where("user_id", "=", self.id)
      .where("purpose", "=", "email_change")
      .where("used_at", "is", null)
      .where("revoked_at", "is", null)
      .execute();
    expect(pending).toEqual([{ email: newEmail }]);
  });

  it("mails no link when the rest of the form is refused (an unknown role): nothing was saved, so nothing is pending", async () => {
    const self = await registered("Self Refused");
    await makeAdmin(self.email);
    const response = await self.client.post(`/admin/users/${self.id}`, { intent: "update", name: "Self Refused", email: uniqueEmail("refused"), role: "no-such-role", active: "on" });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Choose one of the listed roles.");
    const pending = await server.db.selectFrom("account_tokens").select("id").where("user_id", "=", self.id).where("purpose", "=", "email_change").execute();
    expect(pending).toEqual([]);
  });
});

describe("an admin's edit of another user", () => {
  const edit = (user: { id: number; email: string }, fields: Record<string, string>) =>
    admin.client.post(`/admin/users/${user.id}`, { intent: "update", name: "Edited", email: user.email, role: "user", active: "on", ...fields });
  const stored = (id: number) => server.db.selectFrom("users").select(["name", "updated_at", "email_confirmed_at", "active"]).where("id", "=", id).executeTakeFirstOrThrow();

  it("is refused with 409 when the user changed after the form was shown; the form then shows what is saved", async () => {
    const user = await registered("Own Name");
    const shown = (await stored(user.id)).updated_at;
    expect(await (await admin.client.get(`/admin/users/${user.id}`)).text()).toContain(`name="updatedAt" value="${shown}"`);
    await server.db.updateTable("users").set({ name: "Changed Meanwhile", updated_at: Number(shown) + 1000 }).where("id", "=", user.id).execute();
    const stale = await edit(user, { updatedAt: String(shown) });
    expect(stale.status).toBe(409);
    const page = await stale.text();
    expect(page).toContain("Someone changed this user while you were editing.");
    expect(page).toContain('value="Changed Meanwhile"');
    expect((await stored(user.id)).name).toBe("Changed Meanwhile");
    expect((await edit(user, { updatedAt: String(Number(shown) + 1000) })).status).toBe(302);
    expect((await stored(user.id)).name).toBe("Edited");
    // A plain form without the field (as the spec lists the edit form) saves as before.
    expect((await edit(user, { name: "Plain Form" })).status).toBe(302);
    expect((await stored(user.id)).name).toBe("Plain Form");
  });

  it("a new address is not confirmed: nobody has shown they read it", async () => {
    const user = await registered("Moved By Admin");
    await server.db.updateTable("users").set({ email_confirmed_at: Date.now() }).where("id", "=", user.id).execute();
    expect((await edit(user, { email: uniqueEmail("moved") })).status).toBe(302);
    expect((await stored(user.id)).email_confirmed_at).toBeNull();
  });

  it("deactivation ends the account's pending links: reactivated, a pending email change does not come back", async () => {
    const user = await registered("Paused");
    expect((await user.client.post("/settings/email", { email: uniqueEmail("intruder") })).status).toBe(302);
    const live = () =>
      server.db.selectFrom("account_tokens").select("purpose").where("user_id", "=", user.id).where("used_at", "is", null).where("revoked_at", "is", null).orderBy("purpose").execute();
    expect(await live()).toEqual([{ purpose: "email_change" }, { purpose: "email_confirmation" }]);
    expect((await admin.client.post(`/admin/users/${user.id}`, { intent: "update", name: "Paused", email: user.email, role: "user" })).status).toBe(302);
    expect((await stored(user.id)).active).toBe(0);
    expect((await edit(user, { name: "Paused" })).status).toBe(302);
    expect((await stored(user.id)).active).toBe(1);
    expect(await live()).toEqual([]);
  });
});

describe("the user page's intents", () => {
  it.each(["no-such-intent", "constructor", "toString", "__proto__"])("answers the intent %j with 400, unknown action", async (intent) => {
    const response = await admin.client.post(`/admin/users/${target.id}`, { intent });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Unknown action.");
  });
});

describe("nobody grants permissions they lack", () => {
  let manager: { client: Client; email: string; id: number };
  beforeAll(async () => {
    await server.db.insertInto("roles").values({ name: "manager", description: "Manages users" }).onConflict((c) => c.doNothing()).execute();
    const role = await server.db.selectFrom("roles").select("id").where("name", "=", "manager").executeTakeFirstOrThrow();
    const permissions = await server.db.selectFrom("permissions").select("id").where("name", "in", ["users:read", "users:write"]).execute();
    expect(permissions).toHaveLength(2);
    await server.db
      .insertInto("role_permissions")
      .values(permissions.map((p) => ({ role_id: role.id, permission_id: p.id })))
      .onConflict((c) => c.doNothing())
      .execute();
    manager = await registered("Mia Manager");
    await grantRole(server, manager.email, "manager");
  });

  it("a users:write holder cannot create an admin, nor make anyone (themselves included) one", async () => {
    const before = await snapshot();
    const created = await manager.client.post("/admin/users/new", { name: "Backdoor", email: uniqueEmail("backdoor"), password: "long enough pw", role: "admin", active: "on" });
    expect(created.status).toBe(400);
    expect(await created.text()).toContain("You cannot grant a role with permissions you do not hold");
    for (const id of [manager.id, target.id]) {
      const email = id === manager.id ? manager.email : target.email;
      const response = await manager.client.post(`/admin/users/${id}`, { intent: "update", name: "Promoted", email, role: "admin", active: "on" });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain("You cannot grant a role with permissions you do not hold");
    }
    expect(await snapshot()).toBe(before);
    expect(await rolesOf(manager.email)).not.toContain("admin");
  });

  it("a users:write holder cannot change an account that outranks them (an admin's email)", async () => {
    const before = await snapshot();
    const response = await manager.client.post(`/admin/users/${admin.id}`, { intent: "update", name: "Ada Admin", email: uniqueEmail("hijack"), role: "admin", active: "on" });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("This account holds permissions you do not have");
    expect(await snapshot()).toBe(before);
  });

  it("a users:write holder cannot end an admin's sessions, revoke their tokens or unlink their providers", async () => {
    const now = Date.now();
    const identity = await server.db
      .insertInto("user_identities")
      .values({ user_id: admin.id, provider: "test", issuer: "https://idp.test", subject: `admin-${admin.id}`, email: null, created_at: now, last_used_at: null })
      .returning("id")
      .executeTakeFirstOrThrow();
    const before = await snapshot();
    for (const [intent, field] of [["end-sessions", {}], ["revoke-token", { tokenId: "1" }], ["unlink-identity", { identityId: String(identity.id) }]] as const) {
      const response = await manager.client.post(`/admin/users/${admin.id}`, { intent, ...field });
      expect(response.status, intent).toBe(400);
      expect(await response.text()).toContain("This account holds permissions you do not have");
    }
    expect(await snapshot()).toBe(before);
    expect(await server.db.selectFrom("user_identities").select("id").where("id", "=", identity.id).executeTakeFirst()).toBeDefined();
    await server.db.deleteFrom("user_identities").where("id", "=", identity.id).execute();
  });

  it("still creates users with roles within their own permissions", async () => {
    const email = uniqueEmail("managed");
    const response = await manager.client.post("/admin/users/new", { name: "Managed", email, password: "long enough pw", role: "user", active: "on" });
    expect(response.status).toBe(302);
    expect(await rolesOf(email)).toEqual(["user"]);
  });
});

describe("admin routes, signed in without the admin role", () => {
  let member: Client;
  beforeAll(async () => {
    member = (await registered("Mo Member")).client;
  });

  it.each(ADMIN_PAGES.map((p) => [p]))("GET %s is a 403 page that shows nothing of the users", async (page) => {
    const response = await member.get(pathOf(page));
    expect(response.status).toBe(403);
    const html = await response.text();
    expect(html).toContain("<h1>Forbidden</h1>");
    expect(html).toContain("You do not have permission to see this page.");
    expect(html).toContain("Mo Member"); // a real page: the header with who is signed in
    expect(html).not.toContain(target.email);
    expect(html).not.toContain('href="/admin/users"');

    const data = await member.get(dataPath(pathOf(page)));
    expect(data.status).toBe(403);
    expect(await data.text()).not.toContain(target.email);
  });

  it.each(ADMIN_POSTS)("POST (%s) is a 403 and changes nothing, as a form and as a fetch", async (_name, path, fields) => {
    const before = await snapshot();
    const plain = await member.post(path(), fields());
    expect(plain.status).toBe(403);
    expect(await plain.text()).toContain("<h1>Forbidden</h1>");
    const fetched = await member.post(`${path()}.data`, fields());
    expect(fetched.status).toBe(403);
    expect(await snapshot()).toBe(before);
    expect((await target.client.get("/dashboard")).status).toBe(200);
  });

  it.each(["/admin/users", "/admin/audit"])("POST %s (a screen without a form) is a 403, as a form and as a fetch", async (path) => {
    const plain = await member.post(path, { q: "x" });
    expect(plain.status).toBe(403);
    expect(await plain.text()).toContain("<h1>Forbidden</h1>");
    expect((await member.post(`${path}.data`, { q: "x" })).status).toBe(403);
  });

  it("cannot give itself a role or deactivate itself through registration (mass assignment)", async () => {
    const email = uniqueEmail("mass");
    const client = anon();
    const response = await client.post("/register", { name: "Mass Assign", email, password: PASSWORD, role: "admin", roles: "admin", active: "0" });
    expect(response.status).toBe(302);
    expect(await rolesOf(email)).toEqual(["user"]);
    expect((await server.db.selectFrom("users").select("active").where("email", "=", email).executeTakeFirstOrThrow()).active).toBe(1);
    expect((await client.get("/admin/users")).status).toBe(403);
  });
});

describe("admin area, as an admin", () => {
  it("shows the Admin link in the header only to users who may read users", async () => {
    expect(await (await admin.client.get("/dashboard")).text()).toContain('href="/admin/users"');
    expect(await (await target.client.get("/dashboard")).text()).not.toContain('href="/admin/users"');
  });

  it("lists users with search, sort links, count and links to each user", async () => {
    const html = await (await admin.client.get("/admin/users?q=Tess%20Targ")).text();
    expect(html).toContain(`href="/admin/users/${target.id}"`);
    expect(html).toContain("1 user matches “Tess Targ”.");
    expect(html).toContain('href="/admin/users?q=Tess+Targ&amp;sort=email"');
    expect(html).toContain('aria-sort="ascending"');
    const empty = await (await admin.client.get("/admin/users?q=nobody-by-this-name")).text();
    expect(empty).toContain("No users match “nobody-by-this-name”.");
    const data = await admin.client.get("/admin/users.data?q=Tess%20Targ");
    expect(data.status).toBe(200);
    expect(await data.text()).toContain(target.email);
  });

  it.each(["/admin/users", "/admin/audit"])("answers a POST to %s (no form there) with 405", async (path) => {
    const response = await admin.client.post(path, { q: "x" });
    expect(response.status).toBe(405);
    expect(await response.text()).toContain("This page takes no form.");
  });

  it("falls back to defaults for nonsense list parameters instead of failing", async () => {
    const response = await admin.client.get("/admin/users?page=-3&sort=password_hash&dir=sideways&after=abc");
    expect(response.status).toBe(200);
    expect(await response.text()).not.toContain("$2");
  });

  it("creates a user with a role (plain form), records it, and refuses a duplicate email with a field error", async () => {
    const email = uniqueEmail("created");
    const response = await admin.client.post("/admin/users/new", { name: "New Person", email, password: "long enough pw", role: "admin", active: "on" });
    expect(response.status).toBe(302);
    const id = await userId(email);
    expect(response.headers.get("Location")).toBe(`/admin/users/${id}`);
    expect(await rolesOf(email)).toEqual(["admin"]);
    const event = await server.db.selectFrom("activity").select(["actor_id", "subject_id"]).where("type", "=", "user_created").where("subject_id", "=", id).executeTakeFirst();
    expect(event).toEqual({ actor_id: admin.id, subject_id: id });

    const again = await admin.client.post("/admin/users/new", { name: "Twin", email: email.toUpperCase(), password: "long enough pw", role: "user" });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("An account with this email already exists.");
  });

  it("answers 400 with a message per field for bad input, never a 500", async () => {
    const response = await admin.client.post("/admin/users/new", { name: "", email: "nope", password: "short", role: "wizard" });
    expect(response.status).toBe(400);
    const html = await response.text();
    for (const message of ["Name is required.", "Enter a valid email address.", "Password must be at least 8 characters."]) {
      expect(html).toContain(message);
    }
    const role = await admin.client.post("/admin/users/new", { name: "Role", email: uniqueEmail(), password: "long enough pw", role: "wizard" });
    expect(role.status).toBe(400);
    expect(await role.text()).toContain("Choose one of the listed roles.");
    const fetched = await admin.client.post(`/admin/users/${target.id}.data`, { intent: "update", name: "", email: "x", role: "user" });
    expect(fetched.status).toBe(400);
    expect(await fetched.text()).toContain("Name is required.");
  });

  it("renders names that look like markup as text", async () => {
    const email = uniqueEmail("xss");
    const name = `<script>alert("x")</script><img src=x onerror=alert(1)>`;
    await admin.client.post("/admin/users/new", { name, email, password: "long enough pw", role: "user", active: "on" });
    for (const path of [`/admin/users?q=${encodeURIComponent(email)}`, `/admin/users/${await userId(email)}`]) {
      const html = await (await admin.client.get(path)).text();
      expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;");
      expect(html).not.toContain("<script>alert");
      expect(html).not.toContain("<img src=x");
    }
  });

  it("shows a user's times as <time> elements: UTC in the page and on hover, the viewer's zone once the page is live", async () => {
    const email = uniqueEmail("times");
    await admin.client.post("/admin/users/new", { name: "Tim Es", email, password: "long enough pw", role: "user", active: "on" });
    const id = await userId(email);
    const { created_at } = await server.db.selectFrom("users").select("created_at").where("id", "=", id).executeTakeFirstOrThrow();
    const html = await (await admin.client.get(`/admin/users/${id}`)).text();
    const iso = new Date(Number(created_at)).toISOString();
    const utc = `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
    expect(html).toContain(`<time dateTime="${iso}" title="${utc}">${utc}</time>`);
  });

  it("applies a role change at the user's next request, without a new login (single-fetch form post)", async () => {
    const member = await registered("Promoted Later");
    expect((await member.client.get("/admin/users")).status).toBe(403);
    const response = await admin.client.post(`/admin/users/${member.id}.data`, { intent: "update", name: "Promoted Later", email: member.email, role: "admin", active: "on" });
    expect(response.status).toBe(202);
    expect(await rolesOf(member.email)).toEqual(["admin"]);
    expect((await member.client.get("/admin/users")).status).toBe(200);
    const event = await server.db.selectFrom("activity").select("details").where("type", "=", "role_changed").where("subject_id", "=", member.id).executeTakeFirst();
    expect(event).toEqual({ details: '{"from":"user","to":"admin"}' });
  });

  it("ends the sessions of a user it deactivates, and lets nobody log in as them", async () => {
    const user = await registered("Soon Inactive");
    expect((await user.client.get("/dashboard")).status).toBe(200);
    // The spec's fields alone, without `intent`: the edit form.
    const response = await admin.client.post(`/admin/users/${user.id}`, { name: "Soon Inactive", email: user.email, role: "user" });
    expect(response.status).toBe(302);
    expect((await user.client.get("/dashboard")).status).toBe(302);
    expect((await anon().post("/login", { email: user.email, password: PASSWORD })).status).toBe(400);
    const events = await server.db.selectFrom("activity").select(["type", "actor_id"]).where("subject_id", "=", user.id).orderBy("id").execute();
    expect(events).toContainEqual({ type: "user_deactivated", actor_id: admin.id });
    // The refused login afterwards is on the record too, against the account.
    expect(events.at(-1)).toEqual({ type: "login_failed", actor_id: null });
  });

  it("ends all sessions of a user on request", async () => {
    const user = await registered("Many Devices");
    const other = new Client(server.url);
    await other.post("/login", { email: user.email, password: PASSWORD });
    const response = await admin.client.post(`/admin/users/${user.id}`, { intent: "end-sessions" });
    expect(response.status).toBe(302);
    expect((await user.client.get("/dashboard")).status).toBe(302);
    expect((await other.get("/dashboard")).status).toBe(302);
    expect((await admin.client.get("/dashboard")).status).toBe(200);
    expect(await server.db.selectFrom("activity").select("details").where("type", "=", "sessions_revoked").where("subject_id", "=", user.id).executeTakeFirst()).toEqual({
      details: '{"count":2,"all":true,"tokensRevoked":0}',
    });
  });

  it("deletes a user after the confirm step; their session dies with them", async () => {
    const user = await registered("To Be Deleted");
    const confirm = await admin.client.get(`/admin/users/${user.id}?confirm=delete`);
    expect(await confirm.text()).toContain("Yes, delete this user");
    const response = await admin.client.post(`/admin/users/${user.id}`, { intent: "delete" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/admin/users");
    expect(await server.db.selectFrom("users").select("id").where("id", "=", user.id).executeTakeFirst()).toBeUndefined();
    expect((await user.client.get("/dashboard")).status).toBe(302);
    expect((await admin.client.get(`/admin/users/${user.id}`)).status).toBe(404);
    expect((await admin.client.post(`/admin/users/${user.id}`, { intent: "delete" })).status).toBe(404);
  });

  it("sends an admin who gives up their own admin role to the dashboard", async () => {
    const other = await registered("Stepping Down");
    await makeAdmin(other.email);
    await server.db
      .deleteFrom("user_roles")
      .where("user_id", "=", other.id)
      .where("role_id", "=", (eb) => eb.selectFrom("roles").select("id").where("name", "=", "user"))
      .execute();
    const response = await other.client.post(`/admin/users/${other.id}`, { intent: "update", name: "Stepping Down", email: other.email, role: "user", active: "on" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/dashboard");
    expect(await rolesOf(other.email)).toEqual(["user"]);
    expect((await other.client.get("/admin/users")).status).toBe(403);
  });

  it("keeps the last active admin: no self-demotion, deactivation or deletion (400 with the reason)", async () => {
    const server2 = await startServer();
    try {
      const { client, email } = await registerClient(server2, "Only Admin");
      await grantRole(server2, email);
      const id = await userId(email, server2);
      const attempts: Record<string, string>[] = [
        { intent: "update", name: "Only Admin", email, role: "user", active: "on" },
        { intent: "update", name: "Only Admin", email, role: "admin" },
        { intent: "delete" },
      ];
      for (const fields of attempts) {
        for (const path of [`/admin/users/${id}`, `/admin/users/${id}.data`]) {
          const response = await client.post(path, fields);
          expect(response.status).toBe(400);
          expect(await response.text()).toContain("This is the last active admin. Make another user an admin first.");
        }
      }
      expect((await client.get("/admin/users")).status).toBe(200);
    } finally {
      await server2.stop();
    }
  });
});

describe("the last admin's own account", () => {
  it("cannot be deleted from the settings page while it is the last active admin", async () => {
    const solo = await startServer();
    try {
      const { client, email } = await registerClient(solo, "Only Admin");
      await grantRole(solo, email);
      const response = await client.post("/settings/delete-account", { password: PASSWORD });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain("This is the last active admin.");
      expect(await solo.db.selectFrom("users").select((eb) => eb.fn.countAll<number>().as("n")).where("email", "=", email).executeTakeFirst()).toEqual({ n: 1 });
      expect(
        await solo.db.selectFrom("activity").select((eb) => eb.fn.countAll<number>().as("n")).where("type", "=", "account_deleted").executeTakeFirst(),
      ).toEqual({ n: 0 });
      expect((await client.get("/dashboard")).status).toBe(200);
    } finally {
      await solo.stop();
    }
  });

  it("refuses a weak password when an admin creates a user", async () => {
    const response = await admin.client.post("/admin/users/new", { name: "Weak", email: uniqueEmail("weak"), password: "password123", role: "user", active: "on" });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/too easy to guess|common/i);
  });
});
