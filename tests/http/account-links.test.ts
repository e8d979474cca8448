import { describe, expect, it } from "vitest";
import { activityOf, follow, userByEmail } from "../helpers/account";
import { tokenIn } from "../helpers/mail-message";
import { Client, grantRole, PASSWORD, registerClient, type TestServer, uniqueEmail, useServerWithMail } from "../helpers/server";
import type { SmtpSink } from "../helpers/smtp-sink";

/**
 * Security review, issue 11 item 1: every outstanding account link (email
 * change, confirmation, reset) dies when the password is changed or reset,
 * and when an admin moves the account to another address.
 */

const APP_ORIGIN = "http://accounts.test";
const NEW_PASSWORD = "amber-lantern-cobalt-93";

let server: TestServer;
let sink: SmtpSink;
useServerWithMail({ APP_ORIGIN }, (started) => ({ server, sink } = started));

const anon = () => new Client(server.url);

/** As the (briefly fresh) session: asks to move the account to an attacker's address; returns the link's token. */
async function emailChangeToken(client: Client, to = uniqueEmail("attacker")): Promise<{ token: string; to: string }> {
  const response = await client.post("/settings/email", { email: to });
  expect(response.status).toBe(302);
  return { token: tokenIn(await sink.waitForMail(to, { subject: /new email address/ }), "/verify-email"), to };
}

/** Tries to confirm a link anonymously, as the attacker would; returns the status. */
async function confirmAnonymously(token: string): Promise<number> {
  return (await anon().post("/verify-email", { token })).status;
}

async function resetToken(email: string): Promise<string> {
  expect((await anon().post("/forgot-password", { email })).status).toBe(200);
  return tokenIn(await sink.waitForMail(email, { subject: /Reset your/ }), "/reset-password");
}

async function resetPassword(token: string, password: string): Promise<Response> {
  const client = anon();
  await client.get(`/reset-password?token=${token}`);
  return client.post("/reset-password", { password });
}

describe("account links die with the password", () => {
  it("an email change asked for before a password change cannot be confirmed after it", async () => {
    const { client, email } = await registerClient(server, "Owner Changes");
    const { token, to } = await emailChangeToken(client);
    const changed = await client.post("/settings/password", { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(changed.status).toBe(302);

    const page = await anon().get(`/verify-email?token=${token}`);
    expect(page.status).toBe(410);
    expect(await page.text()).toContain("This link has been replaced");
    expect(await confirmAnonymously(token)).toBe(410);
    expect(await userByEmail(server, email)).toBeDefined();
    expect(await userByEmail(server, to)).toBeUndefined();
    expect(await (await client.get("/settings/email")).text()).not.toContain("Waiting for confirmation");
  });

  it("an email change asked for before a password reset cannot be confirmed after it", async () => {
    const { client, email } = await registerClient(server, "Owner Resets");
    const { token, to } = await emailChangeToken(client);
    const reset = await resetPassword(await resetToken(email), NEW_PASSWORD);
    expect(reset.status).toBe(302);
    expect(await confirmAnonymously(token)).toBe(410);
    expect(await userByEmail(server, email)).toBeDefined();
    expect(await userByEmail(server, to)).toBeUndefined();
  });

  it("a confirmation link and a reset link die with a password change", async () => {
    const { client, email } = await registerClient(server, "Owner Links");
    const confirmation = tokenIn(await sink.waitForMail(email, { subject: /^Confirm your email address/ }), "/verify-email");
    const reset = await resetToken(email);
    expect((await client.post("/settings/password", { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })).status).toBe(302);
    expect(await confirmAnonymously(confirmation)).toBe(410);
    expect((await userByEmail(server, email))!.email_confirmed_at).toBeNull();
    expect((await resetPassword(reset, "another-fine-passphrase-7")).status).toBe(410);
  });
});

describe("account links die when an admin changes the email", () => {
  it("a reset link mailed to the old address and a pending email change stop working", async () => {
    const admin = await registerClient(server, "Link Admin");
    await grantRole(server, admin.email);
    const { client, email } = await registerClient(server, "Moved By Admin");
    const id = (await userByEmail(server, email))!.id;
    const reset = await resetToken(email);
    const { token: change } = await emailChangeToken(client);

    const moved = uniqueEmail("moved");
    const response = await admin.client.post(`/admin/users/${id}`, { intent: "update", name: "Moved By Admin", email: moved, role: "user", active: "on" });
    expect(response.status).toBe(302);
    expect((await userByEmail(server, moved))!.id).toBe(id);

    const opened = anon();
    await opened.get(`/reset-password?token=${reset}`);
    expect((await opened.get("/reset-password")).status).toBe(410);
    expect(await confirmAnonymously(change)).toBe(410);
    expect((await userByEmail(server, moved))!.id).toBe(id);
  });
});

describe("/settings/email: a pending change can be cancelled", () => {
  it("the notice to the old address says how to cancel; Cancel kills the link and is logged", async () => {
    const { client, email } = await registerClient(server, "Owner Cancels");
    const { token, to } = await emailChangeToken(client);
    const notice = await sink.waitForMail(email, { subject: /is being changed/ });
    expect(notice.text).toContain(`${APP_ORIGIN}/settings/email`);
    expect(notice.text).toContain("Cancel the change");

    const page = await (await client.get("/settings/email")).text();
    expect(page).toContain(`Waiting for confirmation: <strong>${to}</strong>`);
    expect(page).toMatch(/<button[^>]*name="intent"[^>]*value="cancel"[^>]*>Cancel the change<\/button>/);

    const cancelled = await client.post("/settings/email", { intent: "cancel" });
    expect(cancelled.status).toBe(302);
    expect(await follow(client, cancelled)).toContain(`The change was cancelled: your address stays ${email}.`);
    expect(await (await client.get("/settings/email")).text()).not.toContain("Waiting for confirmation");
    expect(await confirmAnonymously(token)).toBe(410);
    expect(await userByEmail(server, to)).toBeUndefined();
    expect((await activityOf(server, (await userByEmail(server, email))!.id)).map((e) => e.type)).toContain("email_change_cancelled");

    const again = await client.post("/settings/email", { intent: "cancel" });
    expect(await follow(client, again)).toContain("There was no change to cancel.");
    expect((await client.post("/settings/email", { intent: "launch" })).status).toBe(400);
  });
});
