import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSignedOut } from "../helpers/account";
import { Client, PASSWORD, registerClient, startServer, type TestServer } from "../helpers/server";

/**
 * A rotated session id (password change, reauthentication) keeps working until
 * the browser uses the new one, for at most a minute: a response lost on its
 * way (the user clicked away) must not sign the user out (issue 16, point 4).
 */

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

const NEW_PASSWORD = "velvet-anchor-meadow-12";

async function staleSessionsOf(email: string) {
  const user = await server.db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow();
  await server.db.updateTable("sessions").set({ fresh_at: null }).where("user_id", "=", user.id).execute();
}

/** A client holding `cookie` only, as a browser that never saw a later Set-Cookie. */
function browserWith(cookie: string) {
  const client = new Client(server.url);
  client.cookies.set("__session", cookie);
  return client;
}

describe("a rotation whose answer is lost", () => {
  it.each([
    ["a password change", "/settings/password", { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }],
    ["a password change with JavaScript", "/settings/password.data", { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }],
    ["a reauthentication", "/reauthenticate", { password: PASSWORD, redirectTo: "/dashboard" }],
  ])("%s: the previous cookie still works, gets the new one, and dies once the new one is used", async (_name, path, form) => {
    const { client, email } = await registerClient(server);
    if (path === "/reauthenticate") await staleSessionsOf(email);
    const before = client.cookies.get("__session")!;
    const response = await client.post(path, form);
    expect([200, 202, 204, 302]).toContain(response.status);
    const issued = client.cookies.get("__session")!;
    expect(issued).not.toBe(before);

    // The answer never reached the browser: it comes back with the previous cookie.
    const browser = browserWith(before);
    const page = await browser.get("/dashboard");
    expect(page.status).toBe(200);
    expect(page.headers.getSetCookie().some((c) => c.startsWith("__session="))).toBe(true);
    const handedOver = browser.cookies.get("__session")!;
    expect(handedOver).not.toBe(before);
    // The same session, fresh as the rotation made it, is now under the new id.
    expect((await browser.get("/dashboard")).status).toBe(200);
    expect((await browser.get("/settings/password")).status).toBe(200);

    // The new id has been used: the previous one is dead at once.
    expect(await isSignedOut(browserWith(before))).toBe(true);
  });

  it("the grace is not a second session: logging out with the previous cookie ends the session", async () => {
    const { client, email } = await registerClient(server);
    await staleSessionsOf(email);
    const before = client.cookies.get("__session")!;
    expect((await client.post("/reauthenticate", { password: PASSWORD, redirectTo: "/dashboard" })).status).toBe(302);
    const issued = client.cookies.get("__session")!;
    const browser = browserWith(before);
    expect((await browser.post("/logout", {})).status).toBe(302);
    expect(await isSignedOut(browserWith(issued))).toBe(true);
    expect(await isSignedOut(browserWith(before))).toBe(true);
  });

  it("a logout, a new login or a revoked session leaves no grace behind", async () => {
    const { client, email } = await registerClient(server);
    const before = client.cookies.get("__session")!;
    expect((await client.post("/logout", {})).status).toBe(302);
    expect(await isSignedOut(browserWith(before))).toBe(true);
    const again = new Client(server.url);
    again.cookies.set("__session", before);
    expect((await again.post("/login", { email, password: PASSWORD })).status).toBe(302);
    expect(await isSignedOut(browserWith(before))).toBe(true);
  });
});
