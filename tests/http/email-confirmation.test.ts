import { describe, expect, it } from "vitest";
import { activityOf, countRows, follow, loginClient, makeStale, pathOf, userByEmail } from "../helpers/account";
import { linkIn, tokenIn } from "../helpers/mail-message";
import { Client, PASSWORD, registerClient, type TestServer, uniqueEmail, useServerWithMail } from "../helpers/server";
import type { SmtpSink } from "../helpers/smtp-sink";

const APP_ORIGIN = "http://accounts.test";

let server: TestServer;
let sink: SmtpSink;
useServerWithMail({ APP_ORIGIN }, (started) => ({ server, sink } = started));

const anon = () => new Client(server.url);
const CONFIRM_SUBJECT = /^Confirm your email address/;

describe("email confirmation", () => {
  it("registration signs in at once, unconfirmed, and mails a confirmation link", async () => {
    const client = new Client(server.url);
    const email = uniqueEmail("confirm");
    const response = await client.post("/register", { name: "Mary Somerville", email, password: PASSWORD });
    expect(response.status).toBe(302);
    expect(await follow(client, response)).toContain(`Please confirm your email address with the link we sent to ${email}.`);
    const mail = await sink.waitForMail(email, { subject: CONFIRM_SUBJECT });
    expect(linkIn(mail, `${APP_ORIGIN}/verify-email?token=`)).toMatch(/^http:\/\/accounts\.test\/verify-email\?token=[\w-]{43}$/);
    expect(mail.html).toContain(`${APP_ORIGIN}/verify-email?token=`);
    expect((await userByEmail(server, email))?.email_confirmed_at).toBeNull();
    expect(await (await client.get("/settings/profile")).text()).toContain("Not confirmed");
  });

  it("opening the link changes nothing; the button confirms, once", async () => {
    const { client, email } = await registerClient(server);
    const link = pathOf(linkIn(await sink.waitForMail(email, { subject: CONFIRM_SUBJECT }), `${APP_ORIGIN}/verify-email`));
    const token = new URL(link, APP_ORIGIN).searchParams.get("token")!;

    for (const path of [link, link.replace("/verify-email?", "/verify-email.data?")]) {
      const page = await anon().get(path);
      expect(page.status).toBe(200);
      expect(page.headers.get("Referrer-Policy")?.split(",").at(-1)?.trim()).toBe("no-referrer");
      expect(await page.text()).toContain(path === link ? "Confirm email address" : email);
    }
    expect((await userByEmail(server, email))?.email_confirmed_at).toBeNull();

    const confirmed = await client.post("/verify-email", { token });
    expect(confirmed.status).toBe(302);
    expect(confirmed.headers.get("Location")).toBe("/settings/profile");
    const profile = await follow(client, confirmed);
    expect(profile).toContain(`Thank you: ${email} is confirmed.`);
    expect(profile).toContain("Confirmed");
    expect(profile).not.toContain("Not confirmed");
    const user = (await userByEmail(server, email))!;
    expect(user.email_confirmed_at).not.toBeNull();
    expect((await activityOf(server, user.id)).find((e) => e.type === "email_confirmed")).toMatchObject({ actor_id: user.id, details: "{}" });

    const again = await anon().post("/verify-email", { token });
    expect(again.status).toBe(410);
    expect(await again.text()).toContain("This link has already been used");
    expect((await anon().get(link)).status).toBe(410);
  });

  it("works without a session and then asks to log in", async () => {
    const { email } = await registerClient(server);
    const token = tokenIn(await sink.waitForMail(email, { subject: CONFIRM_SUBJECT }), "/verify-email");
    const response = await anon().post("/verify-email.data", { token });
    expect(response.headers.get("X-Remix-Redirect") ?? (await response.text())).toContain("/login");
    expect((await userByEmail(server, email))?.email_confirmed_at).not.toBeNull();
  });

  it("resend sends a new link and voids the old one", async () => {
    const { client, email } = await registerClient(server);
    const first = tokenIn(await sink.waitForMail(email, { subject: CONFIRM_SUBJECT }), "/verify-email");
    const resent = await client.post("/settings/profile.data", { intent: "resend-confirmation" });
    expect(resent.status).toBe(202);
    const second = tokenIn(await sink.waitForMail(email, { subject: CONFIRM_SUBJECT }), "/verify-email");
    expect(second).not.toBe(first);

    const old = await anon().get(`/verify-email?token=${first}`);
    expect(old.status).toBe(410);
    expect(await old.text()).toContain("This link has been replaced");
    expect((await client.post("/verify-email", { token: second })).status).toBe(302);

    const done = await client.post("/settings/profile", { intent: "resend-confirmation" });
    expect(await follow(client, done)).toContain("Your email address is already confirmed.");
  });

  it("refuses expired, altered and missing tokens with clear pages", async () => {
    const { email } = await registerClient(server);
    const token = tokenIn(await sink.waitForMail(email, { subject: CONFIRM_SUBJECT }), "/verify-email");
    const altered = `${token.slice(0, -2)}${token.endsWith("AA") ? "BB" : "AA"}`;
    const bad = await anon().get(`/verify-email?token=${altered}`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("This link is not valid");
    expect((await anon().post("/verify-email", { token: altered })).status).toBe(400);
    expect((await anon().get("/verify-email")).status).toBe(400);

    const user = (await userByEmail(server, email))!;
    await server.db.updateTable("account_tokens").set({ expires_at: Date.now() - 1 }).where("user_id", "=", user.id).execute();
    const expired = await anon().post("/verify-email", { token });
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain("This link has expired");
    expect((await userByEmail(server, email))?.email_confirmed_at).toBeNull();
  });
});

describe("/settings/email", () => {
  it("needs a fresh login for the page and the action", async () => {
    const { client, email } = await registerClient(server);
    await makeStale(server, email);
    const page = await client.get("/settings/email");
    expect(page.status).toBe(302);
    expect(page.headers.get("Location")).toBe("/reauthenticate?redirectTo=%2Fsettings%2Femail");
    const post = await client.post("/settings/email", { email: uniqueEmail("stale") });
    expect(post.status).toBe(302);
    expect(post.headers.get("Location")).toBe("/reauthenticate?redirectTo=%2Fsettings%2Femail");
    const { id } = (await userByEmail(server, email))!;
    expect(await countRows(server, "account_tokens", (q) => q.where("purpose", "=", "email_change").where("user_id", "=", id))).toBe(0);
  });

  it("refuses the current address, a taken one and a malformed one with 400", async () => {
    const { client, email } = await registerClient(server);
    const { email: other } = await registerClient(server);
    const same = await client.post("/settings/email", { email: email.toUpperCase() });
    expect(same.status).toBe(400);
    expect(await same.text()).toContain("This is already your email address.");
    const taken = await client.post("/settings/email", { email: other });
    expect(taken.status).toBe(400);
    expect(await taken.text()).toContain("An account with this email already exists.");
    const malformed = await client.post("/settings/email.data", { email: "nope" });
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toContain("Enter a valid email address.");
  });

  it("changes the address only once the new one confirms; the old one is told", async () => {
    const { client, email } = await registerClient(server, "Emmy Noether");
    await sink.waitForMail(email, { subject: CONFIRM_SUBJECT });
    const resetToken = tokenIn(
      await (async () => {
        await anon().post("/forgot-password", { email });
        return sink.waitForMail(email, { subject: /Reset your/ });
      })(),
      "/reset-password",
    );
    const newEmail = uniqueEmail("moved");

    const requested = await client.post("/settings/email", { email: newEmail });
    expect(requested.status).toBe(302);
    expect(await follow(client, requested)).toContain(`We sent a confirmation link to ${newEmail}.`);

    const confirmation = await sink.waitForMail(newEmail);
    expect(confirmation.subject).toBe("Confirm your new email address for Remix Auth Kit");
    const notice = await sink.waitForMail(email, { subject: /is being changed/ });
    expect(notice.text).toContain(`from ${email} to ${newEmail}`);
    expect(notice.text).toContain(`${APP_ORIGIN}/forgot-password`);

    // Nothing changed yet.
    const user = (await userByEmail(server, email))!;
    expect(user.email).toBe(email);
    expect(await (await client.get("/settings/email")).text()).toContain(`Waiting for confirmation: <strong>${newEmail}</strong>`);

    const link = pathOf(linkIn(confirmation, `${APP_ORIGIN}/verify-email?token=`));
    const page = await client.get(link);
    expect(await page.text()).toContain("Confirm your new email address");
    const token = new URL(link, APP_ORIGIN).searchParams.get("token")!;
    const done = await client.post("/verify-email", { token });
    expect(done.status).toBe(302);
    expect(await follow(client, done)).toContain(`Your email address is now ${newEmail}.`);

    const moved = (await userByEmail(server, newEmail))!;
    expect(moved.id).toBe(user.id);
    expect(moved.email_confirmed_at).not.toBeNull();
    expect(await userByEmail(server, email)).toBeUndefined();
    expect((await anon().post("/login", { email, password: PASSWORD })).status).toBe(400);
    await loginClient(server, newEmail, PASSWORD);

    // The reset link went to the old address: it no longer works.
    const reset = anon();
    await reset.get(`/reset-password?token=${resetToken}`);
    expect((await reset.get("/reset-password")).status).toBe(410);

    const types = (await activityOf(server, user.id)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["email_change_requested", "email_changed"]));
    const details = (await activityOf(server, user.id)).map((e) => e.details).join(" ");
    expect(details).not.toContain(newEmail);
    expect(details).not.toContain(email);
  });

  it("refuses the confirmation with a clear page when the address was taken meanwhile", async () => {
    const { client } = await registerClient(server);
    const newEmail = uniqueEmail("contested");
    expect((await client.post("/settings/email", { email: newEmail })).status).toBe(302);
    const token = tokenIn(await sink.waitForMail(newEmail), "/verify-email");
    const squatter = new Client(server.url);
    expect((await squatter.post("/register", { name: "Squatter", email: newEmail, password: PASSWORD })).status).toBe(302);
    const response = await client.post("/verify-email", { token });
    expect(response.status).toBe(409);
    expect(await response.text()).toContain("This address is already in use");
  });
});
