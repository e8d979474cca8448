import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activityOf, userIdOf } from "../helpers/account";
import { Client, PASSWORD, registerClient, startServer, type TestServer, uniqueEmail, grantRole } from "../helpers/server";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

const userId = (email: string) => userIdOf(server, email);
const eventsOf = async (email: string) => activityOf(server, await userId(email));

/** Text of the page's table rows, one string per row. */
async function rows(client: Client, path: string) {
  const html = await (await client.get(path)).text();
  return [...html.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].slice(1).map((m) => m[1]!.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim());
}

describe("activity events from the flows", () => {
  it("records registration, failed and successful logins, and logout, with address and user agent", async () => {
    const { client, email } = await registerClient(server);
    const id = await userId(email);
    await new Client(server.url).post("/login", { email, password: "wrong password!" }, { headers: { "User-Agent": "attacker-agent" } });
    const again = new Client(server.url);
    await again.post("/login", { email, password: PASSWORD, remember: "on" });
    await again.post("/logout", {});
    await client.post("/logout", {});
    const events = await eventsOf(email);
    expect(events.map((e) => [e.type, e.actor_id, e.subject_id])).toEqual([
      ["registered", id, id],
      ["login_failed", null, id],
      ["login_succeeded", id, id],
      ["logout", id, id],
      ["logout", id, id],
    ]);
    expect(events[1]).toMatchObject({ ip: "127.0.0.1", user_agent: "attacker-agent", details: "{}" });
    expect(JSON.parse(events[2]!.details)).toEqual({ remember: true, method: "password" });
  });

  it("records a failed login for an unknown email with no actor, no subject and no email", async () => {
    const email = uniqueEmail("ghost");
    const before = (await server.db.selectFrom("activity").select((eb) => eb.fn.max("id").as("id")).executeTakeFirst())?.id ?? 0;
    const response = await new Client(server.url).post("/login", { email, password: PASSWORD });
    expect(response.status).toBe(400);
    const added = await server.db.selectFrom("activity").selectAll().where("id", ">", before).execute();
    const failure = added.find((row) => row.type === "login_failed")!;
    expect(failure).toMatchObject({ actor_id: null, subject_id: null, details: "{}" });
    const everything = JSON.stringify(await server.db.selectFrom("activity").selectAll().execute());
    expect(everything).not.toContain(email);
    expect(everything).not.toContain(PASSWORD);
  });
});

describe("/settings/activity", () => {
  it("shows a user their own events with readable labels, newest first, paginated", async () => {
    const { client, email } = await registerClient(server);
    const { email: otherEmail } = await registerClient(server);
    const id = await userId(email);
    const otherId = await userId(otherEmail);
    const insert = (type: string, actor_id: number, subject_id: number) =>
      server.db.insertInto("activity").values({ created_at: Date.now(), type, actor_id, subject_id, ip: "198.51.100.4", user_agent: "", details: "{}" }).execute();
    for (let i = 0; i < 30; i++) await insert("login_succeeded", id, id);
    await insert("role_changed", otherId, id);
    await insert("password_changed", otherId, otherId);

    const first = await rows(client, "/settings/activity");
    expect(first).toHaveLength(25);
    expect(first[0]).toContain("Role changed (by an administrator)");
    expect(first[1]).toContain("Signed in");
    expect(first.join("\n")).not.toContain("Password changed");
    const second = await rows(client, "/settings/activity?page=2");
    expect(second).toHaveLength(7);
    expect(second.at(-1)).toContain("Account created");
    const html = await (await client.get("/settings/activity?page=2")).text();
    expect(html).toContain('href="/settings/activity"');
    expect(await rows(client, "/settings/activity?page=abc")).toEqual(first);
    expect(await rows(client, "/settings/activity?page=9")).toEqual([]);
  });

  it("sends anonymous visitors to log in", async () => {
    const response = await new Client(server.url).get("/settings/activity.data");
    expect([200, 202, 204, 302]).toContain(response.status);
    expect(response.headers.get("X-Remix-Redirect") ?? response.headers.get("Location") ?? (await response.text())).toContain(
      "/login?redirectTo=%2Fsettings%2Factivity",
    );
  });
});

/** Registers a user holding the admin role (audit:read). */
async function auditor() {
  const { client, email } = await registerClient(server, "Audrey Auditor");
  await grantRole(server, email);
  return { client, email };
}

describe("/admin/audit (behind audit:read)", () => {
  it("lists all events, filtered by user (email or id) and type, paginated", async () => {
    const { client: viewer } = await auditor();
    const { email: alice } = await registerClient(server, "Alice");
    const { email: bob } = await registerClient(server, "Bob");
    await new Client(server.url).post("/login", { email: alice, password: "wrong password!" });

    const all = await rows(viewer, "/admin/audit");
    expect(all.length).toBeGreaterThan(3);

    const aliceRows = await rows(viewer, `/admin/audit?user=${encodeURIComponent(alice.toUpperCase())}`);
    expect(aliceRows).toHaveLength(2);
    expect(aliceRows[0]).toContain(`Failed sign-in attempt — ${alice} 127.0.0.1`);
    expect(aliceRows[1]).toContain(`Account created ${alice} ${alice} 127.0.0.1`);
    expect(aliceRows.join("\n")).not.toContain(bob);
    expect(await rows(viewer, `/admin/audit?user=${await userId(alice)}`)).toEqual(aliceRows);

    const failed = await rows(viewer, `/admin/audit?user=${encodeURIComponent(alice)}&type=login_failed`);
    expect(failed).toHaveLength(1);
    const registered = await rows(viewer, "/admin/audit?type=registered");
    expect(registered.every((r) => r.includes("Account created"))).toBe(true);

    const html = await (await viewer.get(`/admin/audit?user=${encodeURIComponent(alice)}&type=registered`)).text();
    expect(html).toMatch(/<option value="registered" selected="">/);
  });

  it("pages through the log, keeping the filters in the links", async () => {
    const { client: viewer, email } = await auditor();
    const id = await userId(email);
    for (let i = 0; i < 27; i++) {
      await server.db.insertInto("activity").values({ created_at: Date.now(), type: "logout", actor_id: id, subject_id: id, ip: "", user_agent: "", details: "{}" }).execute();
    }
    const html = await (await viewer.get(`/admin/audit?user=${id}&type=logout`)).text();
    expect(html).toContain(`href="/admin/audit?user=${id}&amp;type=logout&amp;page=2"`);
    expect(await rows(viewer, `/admin/audit?user=${id}&type=logout&page=2`)).toHaveLength(2);
  });

  it("answers 400 for an unknown type and says so when no user matches", async () => {
    const { client: viewer } = await auditor();
    const bad = await viewer.get("/admin/audit?type=drop_tables");
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Choose an event type from the list.");
    const none = await viewer.get("/admin/audit?user=nobody%40example.com");
    expect(none.status).toBe(200);
    expect(await none.text()).toContain("No user matches");
  });

  it("sends anonymous visitors to log in", async () => {
    const response = await new Client(server.url).get("/admin/audit?type=logout");
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login?redirectTo=%2Fadmin%2Faudit%3Ftype%3Dlogout");
  });
});
