import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeStale } from "../helpers/account";
import { Client, PASSWORD, registerClient, startServer, type TestServer } from "../helpers/server";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

/** Browser tabs holding the same session cookie. */
function tabsWith(cookie: string, n: number): Client[] {
  return Array.from({ length: n }, () => {
    const tab = new Client(server.url);
    tab.cookies.set("__session", cookie);
    return tab;
  });
}

describe("/reauthenticate", () => {
  it("needs a session: anonymous visitors go to log in", async () => {
    const response = await new Client(server.url).get("/reauthenticate?redirectTo=%2Fsettings%2Fpassword");
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login?redirectTo=%2Freauthenticate%3FredirectTo%3D%252Fsettings%252Fpassword");
  });

  it("refuses a wrong password with 400 and logs it", async () => {
    const { client, email } = await registerClient(server);
    const response = await client.post("/reauthenticate", { password: "not my password", redirectTo: "/dashboard/notes" });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Incorrect password.");
    const row = await server.db
      .selectFrom("activity")
      .innerJoin("users", "users.id", "activity.actor_id")
      .select("activity.type")
      .where("users.email", "=", email)
      .orderBy("activity.id", "desc")
      .executeTakeFirstOrThrow();
    expect(row.type).toBe("reauthentication_failed");
  });

  it("with the right password rotates the session id, marks it fresh and follows redirectTo", async () => {
    const { client, email } = await registerClient(server);
    await makeStale(server, email);
    const before = client.cookies.get("__session")!;
    const response = await client.post("/reauthenticate", { password: PASSWORD, redirectTo: "/dashboard/notes" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/dashboard/notes");
    expect(client.cookies.get("__session")).not.toBe(before);
    // The browser follows the redirect with the new id; from then on the previous one is dead
    // (before that it has a short grace: tests/http/session-rotation.test.ts).
    expect((await client.get("/dashboard/notes")).status).toBe(200);
    const stale = new Client(server.url);
    stale.cookies.set("__session", before);
    expect((await stale.get("/dashboard")).status).toBe(302);
    const fresh = await server.db
      .selectFrom("sessions")
      .select("fresh_at")
      .where("user_id", "=", (eb) => eb.selectFrom("users").select("id").where("email", "=", email))
      .executeTakeFirstOrThrow();
    expect(fresh.fresh_at).toBeGreaterThan(Date.now() - 60_000);
  });

  it("a double submit at the same moment (four at once): whichever answer the browser keeps, it is signed in and fresh", async () => {
    const { client, email } = await registerClient(server);
    await makeStale(server, email);
    const tabs = tabsWith(client.cookies.get("__session")!, 4);
    const answers = await Promise.all(tabs.map((tab) => tab.post("/reauthenticate", { password: PASSWORD, redirectTo: "/settings/password" })));
    expect(answers.map((answer) => answer.status)).toEqual([302, 302, 302, 302]);
    for (const tab of tabs) expect((await tab.get("/settings/password")).status).toBe(200);
  });

  it("a second submit after the first answer, with the id the page had: either answer the browser keeps is signed in and fresh", async () => {
    const { client, email } = await registerClient(server);
    await makeStale(server, email);
    const [first, second] = tabsWith(client.cookies.get("__session")!, 2);
    expect((await first!.post("/reauthenticate", { password: PASSWORD })).status).toBe(302);
    expect((await second!.post("/reauthenticate", { password: PASSWORD })).status).toBe(302);
    // The first answer's id was rotated away by the second: it still leads to the session during its grace.
    expect((await first!.get("/settings/password")).status).toBe(200);
    expect((await second!.get("/settings/password")).status).toBe(200);
  });

  it("a redirectTo outside Latin-1 is percent-encoded; the session survives (a crafted link cannot sign anyone out)", async () => {
    const { client } = await registerClient(server);
    const response = await client.post("/reauthenticate", { password: PASSWORD, redirectTo: "/✓" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/%E2%9C%93");
    expect((await client.get("/dashboard")).status).toBe(200);
  });

  it("ignores an off-site redirectTo", async () => {
    const { client } = await registerClient(server);
    const response = await client.post("/reauthenticate", { password: PASSWORD, redirectTo: "//evil.example" });
    expect(response.headers.get("Location")).toBe("/dashboard");
  });
});
