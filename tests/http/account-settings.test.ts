import { describe, expect, it } from "vitest";
import { activityOf, countRows, follow, isSignedOut, loginClient, makeStale, userByEmail } from "../helpers/account";
import { Client, PASSWORD, registerClient, type TestServer, uniqueEmail, useServerWithMail } from "../helpers/server";
import type { SmtpSink } from "../helpers/smtp-sink";

const NEW_PASSWORD = "velvet-anchor-meadow-12";

let server: TestServer;
let sink: SmtpSink;
useServerWithMail({ APP_ORIGIN: "http://accounts.test" }, (started) => ({ server, sink } = started));

const anon = () => new Client(server.url);
/** Rows of `table` belonging to the user. */
const count = (table: "sessions" | "account_tokens", userId: number) => countRows(server, table, (q) => q.where("user_id", "=", userId));

describe("settings routes guard themselves", () => {
  it.each(["/settings/profile", "/settings/email", "/settings/password", "/settings/delete-account"])(
    "%s: anonymous GET and POST go to log in",
    async (path) => {
      for (const response of [await anon().get(path), await anon().post(path, { name: "x", password: "x", intent: "update-name" })]) {
        expect(response.status).toBe(302);
        expect(response.headers.get("Location")).toBe(`/login?redirectTo=${encodeURIComponent(path)}`);
      }
    },
  );

  it.each(["/settings/email", "/settings/password", "/settings/delete-account"])(
    "%s: a stale session is sent to /reauthenticate for GET and POST, and nothing changes",
    async (path) => {
      const { client, email } = await registerClient(server);
      await makeStale(server, email);
      for (const response of [
        await client.get(path),
        await client.post(path, { password: PASSWORD, currentPassword: PASSWORD, newPassword: NEW_PASSWORD, email: uniqueEmail() }),
      ]) {
        expect(response.status).toBe(302);
        expect(response.headers.get("Location")).toBe(`/reauthenticate?redirectTo=${encodeURIComponent(path)}`);
      }
      expect(await userByEmail(server, email)).toBeDefined();
      await loginClient(server, email, PASSWORD);
    },
  );
});

describe("password strength", () => {
  it("registration refuses a weak or personal password and says why (plain and single-fetch)", async () => {
    const email = uniqueEmail("weak");
    const common = await anon().post("/register", { name: "Weak Pw", email, password: "password123" });
    expect(common.status).toBe(400);
    expect(await common.text()).toContain("This password is too easy to guess. This is a commonly used password.");
    const personal = await anon().post("/register.data", { name: "Weak Pw", email, password: email });
    expect(personal.status).toBe(400);
    expect(await personal.text()).toContain("There should not be any personal or page related data.");
    expect(await userByEmail(server, email)).toBeUndefined();
  });
});

describe("/settings/profile", () => {
  it("changes the name (plain and single-fetch posts) and refuses a blank one", async () => {
    const { client, email } = await registerClient(server, "Old Name");
    const saved = await client.post("/settings/profile", { intent: "update-name", name: "  Sofia Kovalevskaya " });
    expect(saved.status).toBe(302);
    expect(await follow(client, saved)).toContain("Your name has been updated.");
    expect((await userByEmail(server, email))?.name).toBe("Sofia Kovalevskaya");

    expect((await client.post("/settings/profile.data", { intent: "update-name", name: "Sofia K" })).status).toBe(202);
    expect((await userByEmail(server, email))?.name).toBe("Sofia K");

    const blank = await client.post("/settings/profile", { intent: "update-name", name: "   " });
    expect(blank.status).toBe(400);
    expect(await blank.text()).toContain("Name is required.");
    expect((await client.post("/settings/profile", { intent: "nope" })).status).toBe(400);
    // The spec's form is `name` alone: a post without `intent` saves it.
    expect((await client.post("/settings/profile", { name: "Sofia Plain" })).status).toBe(302);
    expect((await userByEmail(server, email))?.name).toBe("Sofia Plain");
  });

  it("ignores fields the form does not have (no mass assignment)", async () => {
    const { client, email } = await registerClient(server);
    await client.post("/settings/profile", { intent: "update-name", name: "Fine", email: "hijack@example.com", email_confirmed_at: "1" });
    const user = (await userByEmail(server, email))!;
    expect(user.name).toBe("Fine");
    expect(user.email_confirmed_at).toBeNull();
  });
});

describe("/settings/password", () => {
  it("checks the current password and the new one's strength", async () => {
    const { client } = await registerClient(server);
    const wrong = await client.post("/settings/password", { currentPassword: "not it at all", newPassword: NEW_PASSWORD });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("Your current password is incorrect.");
    const weak = await client.post("/settings/password.data", { currentPassword: PASSWORD, newPassword: "iloveyou2024" });
    expect(weak.status).toBe(400);
    expect(await weak.text()).toContain("This password is too easy to guess.");
    const missing = await client.post("/settings/password", { newPassword: NEW_PASSWORD });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain("Enter your current password.");
  });

  it("ends every other session; this one continues under a new id; the owner gets a mail", async () => {
    const { client, email } = await registerClient(server);
    const other = await loginClient(server, email, PASSWORD);
    const before = client.cookies.get("__session")!;

    const response = await client.post("/settings/password", { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/settings/password");
    const after = client.cookies.get("__session")!;
    expect(after).not.toBe(before);
    expect(await follow(client, response)).toContain("Your password has been changed. Your other sessions have been signed out.");

    expect(await isSignedOut(client)).toBe(false);
    expect(await isSignedOut(other)).toBe(true);
    const replay = anon();
    replay.cookies.set("__session", before);
    expect(await isSignedOut(replay)).toBe(true);
    const user = (await userByEmail(server, email))!;
    expect(await count("sessions", user.id)).toBe(1);

    const mail = await sink.waitForMail(email, { subject: /password was changed/ });
    expect(mail.text).toContain("every other session of your account was signed out");
    const entry = (await activityOf(server, user.id)).find((e) => e.type === "password_changed");
    expect(JSON.parse(entry!.details)).toEqual({ otherSessionsEnded: 1 });

    expect((await anon().post("/login", { email, password: PASSWORD })).status).toBe(400);
    await loginClient(server, email, NEW_PASSWORD);
  });
  it("a double submit (four at once from one page) leaves the browser signed in, whichever answer it keeps", async () => {
    const { client, email } = await registerClient(server);
    const tabs = [1, 2, 3, 4].map(() => {
      const tab = anon();
      tab.cookies.set("__session", client.cookies.get("__session")!);
      return tab;
    });
    const answers = await Promise.all(tabs.map((tab) => tab.post("/settings/password", { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })));
    expect(answers.filter((answer) => answer.status === 302).length).toBeGreaterThanOrEqual(1);
    for (const tab of tabs) expect(await isSignedOut(tab)).toBe(false);
    expect(await count("sessions", (await userByEmail(server, email))!.id)).toBe(1);
  });
});

describe("/settings/delete-account", () => {
  it("needs the password", async () => {
    const { client, email } = await registerClient(server);
    const wrong = await client.post("/settings/delete-account", { password: "not my password" });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("Incorrect password.");
    expect((await client.post("/settings/delete-account.data", {})).status).toBe(400);
    expect(await userByEmail(server, email)).toBeDefined();
  });

  it("deletes the account, its sessions and tokens; its activity stays without personal data", async () => {
    const { client, email } = await registerClient(server, "Hypatia Alexandria");
    const other = await loginClient(server, email, PASSWORD);
    await anon().post("/forgot-password", { email });
    await sink.waitForMail(email, { subject: /Reset your/ });
    const user = (await userByEmail(server, email))!;
    // An entry written before this rule existed, with personal data in its details.
    await server.db
      .insertInto("activity")
      .values({
        created_at: Date.now(),
        type: "user_updated",
        actor_id: user.id,
        subject_id: user.id,
        ip: "10.0.0.9",
        user_agent: "Legacy UA",
        details: JSON.stringify({ email, name: "Hypatia Alexandria", role: "user" }),
      })
      .execute();
    const ids = await server.db
      .selectFrom("activity")
      .select("id")
      .where((eb) => eb.or([eb("actor_id", "=", user.id), eb("subject_id", "=", user.id)]))
      .execute();
    expect(ids.length).toBeGreaterThanOrEqual(2);

    const response = await client.post("/settings/delete-account", { password: PASSWORD });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/");
    expect(client.cookies.has("__session")).toBe(false);
    expect(await follow(client, response)).toContain("Your account has been deleted.");

    expect(await userByEmail(server, email)).toBeUndefined();
    expect(await count("sessions", user.id)).toBe(0);
    expect(await count("account_tokens", user.id)).toBe(0);
    expect(await isSignedOut(other)).toBe(true);

    const rows = await server.db
      .selectFrom("activity")
      .selectAll()
      .where((eb) => eb.or([eb("id", "in", ids.map((r) => r.id)), eb("type", "=", "account_deleted")]))
      .execute();
    const kept = rows.filter((row) => ids.some((r) => r.id === row.id));
    expect(kept).toHaveLength(ids.length);
    const text = JSON.stringify(rows);
    expect(text).not.toContain(email);
    expect(text).not.toContain("Hypatia");
    expect(text).not.toContain("10.0.0.9");
    expect(text).not.toContain("Legacy UA");
    for (const row of kept) expect(row).toMatchObject({ actor_id: null, subject_id: null, ip: "", user_agent: "" });
    expect(rows.some((row) => row.type === "account_deleted")).toBe(true);
    expect((await anon().post("/login", { email, password: PASSWORD })).status).toBe(400);
  });
});
