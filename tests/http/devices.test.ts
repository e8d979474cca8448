import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, PASSWORD, registerClient, startServer, type TestServer } from "../helpers/server";

const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

async function secondDevice(email: string, userAgent = FIREFOX) {
  const client = new Client(server.url);
  const response = await client.post("/login", { email, password: PASSWORD }, { headers: { "User-Agent": userAgent } });
  expect(response.status).toBe(302);
  return client;
}

function publicIds(email: string) {
  return server.db
    .selectFrom("sessions")
    .select(["public_id", "id_hash", "user_agent"])
    .where("user_id", "=", (eb) => eb.selectFrom("users").select("id").where("email", "=", email))
    .orderBy("created_at")
    .execute();
}

const signedIn = async (client: Client) => (await client.get("/dashboard")).status === 200;

describe("/settings/sessions", () => {
  it("sends anonymous visitors to log in, for the page and its data", async () => {
    const anon = new Client(server.url);
    const page = await anon.get("/settings/sessions");
    expect(page.status).toBe(302);
    expect(page.headers.get("Location")).toBe("/login?redirectTo=%2Fsettings%2Fsessions");
    const post = await anon.post("/settings/sessions", { intent: "revoke-others" });
    expect(post.status).toBe(302);
    expect(post.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
  });

  it("lists the user's own sessions with browser, OS, address and this device, and no session secrets", async () => {
    const { client, email } = await registerClient(server);
    const laptop = await secondDevice(email);
    const html = await (await client.get("/settings/sessions")).text();
    expect(html).toContain("Firefox 128 on Linux");
    expect(html).toContain("This device");
    expect(html).toContain("127.0.0.1");
    expect(html).toContain("Sign out all other sessions");
    expect(html).toMatch(/Signed in with<\/dt><dd>Password<\/dd>/);
    for (const row of await publicIds(email)) {
      expect(html).toContain(row.public_id);
      expect(html).not.toContain(row.id_hash);
    }
    for (const cookie of [client.cookies.get("__session")!, laptop.cookies.get("__session")!]) {
      const { sid } = JSON.parse(Buffer.from(decodeURIComponent(cookie).split(".")[0]!, "base64").toString()) as { sid: string };
      expect(sid.length).toBeGreaterThan(40);
      expect(html).not.toContain(sid);
    }
    const { client: stranger, email: strangerEmail } = await registerClient(server);
    const strangerHtml = await (await stranger.get("/settings/sessions")).text();
    expect(strangerHtml).not.toContain("Firefox 128 on Linux");
    expect(strangerHtml).toContain((await publicIds(strangerEmail))[0]!.public_id);
    expect(strangerHtml).not.toContain((await publicIds(email))[0]!.public_id);
  });

  it("revokes one session: it is anonymous at its next request, and the activity log says so", async () => {
    const { client, email } = await registerClient(server);
    const laptop = await secondDevice(email);
    const target = (await publicIds(email)).find((row) => row.user_agent === FIREFOX)!;
    const response = await client.post("/settings/sessions", { intent: "revoke", sessionId: target.public_id });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/settings/sessions");
    const page = await (await client.get("/settings/sessions")).text();
    expect(page).toContain("Signed out Firefox 128 on Linux.");
    expect(page).not.toContain(target.public_id);
    expect(await signedIn(laptop)).toBe(false);
    expect(await signedIn(client)).toBe(true);
    const activity = await (await client.get("/settings/activity")).text();
    expect(activity).toContain("Session signed out");
  });

  it("revokes all other sessions with a single-fetch post too", async () => {
    const { client, email } = await registerClient(server);
    const others = [await secondDevice(email), await secondDevice(email, "curl/8.5.0")];
    const response = await client.post("/settings/sessions.data", { intent: "revoke-others" });
    expect(response.status).toBe(202);
    expect(await response.text()).toContain("/settings/sessions");
    for (const other of others) expect(await signedIn(other)).toBe(false);
    expect(await signedIn(client)).toBe(true);
    expect(await publicIds(email)).toHaveLength(1);
  });

  it("revoking this device logs out", async () => {
    const { client, email } = await registerClient(server);
    const [own] = await publicIds(email);
    const cookie = client.cookies.get("__session")!;
    const response = await client.post("/settings/sessions", { intent: "revoke", sessionId: own!.public_id });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/");
    expect(client.cookies.has("__session")).toBe(false);
    const replay = new Client(server.url);
    replay.cookies.set("__session", cookie);
    expect(await signedIn(replay)).toBe(false);
  });

  it("answers 404 for another user's session (IDOR) or an unknown one, and changes nothing", async () => {
    const { client: victim, email: victimEmail } = await registerClient(server);
    const { client: attacker } = await registerClient(server);
    const victimSession = (await publicIds(victimEmail))[0]!;
    for (const path of ["/settings/sessions", "/settings/sessions.data"]) {
      for (const sessionId of [victimSession.public_id, victimSession.id_hash, "does-not-exist"]) {
        const response = await attacker.post(path, { intent: "revoke", sessionId });
        expect(response.status, `${path} ${sessionId}`).toBe(404);
      }
    }
    expect(await signedIn(victim)).toBe(true);
    expect(await signedIn(attacker)).toBe(true);
    expect(await publicIds(victimEmail)).toHaveLength(1);
  });

  it("refuses bad input with 400, never 500", async () => {
    const { client } = await registerClient(server);
    for (const form of [{} as Record<string, string>, { intent: "explode" }, { intent: "revoke" }, { intent: "revoke", sessionId: "x".repeat(500) }]) {
      const response = await client.post("/settings/sessions", form);
      expect(response.status, JSON.stringify(form).slice(0, 60)).toBe(400);
    }
  });
});
