import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { follow } from "../helpers/account";
import { Client, PASSWORD, startServer, type TestServer, uniqueEmail } from "../helpers/server";
import { startSmtpSink } from "../helpers/smtp-sink";

const RETRY = "We could not send the email just now. Please try again in a few minutes.";

let server: TestServer;
beforeAll(async () => {
  // A port where an SMTP server was a moment ago: every delivery is refused.
  const gone = await startSmtpSink();
  await gone.stop();
  server = await startServer({ SMTP_URL: gone.url });
});
afterAll(async () => {
  await server?.stop();
});

describe("when mail cannot be sent", () => {
  it("registration still succeeds, and says the confirmation mail can be sent again", async () => {
    const client = new Client(server.url);
    const response = await client.post("/register", { name: "Offline", email: uniqueEmail("offline"), password: PASSWORD });
    expect(response.status).toBe(302);
    expect(await follow(client, response)).toContain("we could not send the confirmation email just now. You can send it again from your profile.");

    const resend = await client.post("/settings/profile", { intent: "resend-confirmation" });
    expect(resend.status).toBe(503);
    expect(resend.headers.get("Retry-After")).toBe("60");
    expect(await resend.text()).toContain(RETRY);

    const change = await client.post("/settings/email", { email: uniqueEmail("new") });
    expect(change.status).toBe(503);
    expect(await change.text()).toContain(RETRY);
    const single = await client.post("/settings/email.data", { email: uniqueEmail("new") });
    expect(single.status).toBe(503);
    expect(await single.text()).toContain(RETRY);
    // No link went out, so no change is shown as waiting.
    expect(await (await client.get("/settings/email")).text()).not.toContain("Waiting for confirmation");
  });

  it("/forgot-password answers as always (an error there would tell which addresses have accounts), and the failure is logged", async () => {
    const client = new Client(server.url);
    const email = uniqueEmail("known");
    await client.post("/register", { name: "Known", email, password: PASSWORD });
    const response = await new Client(server.url).post("/forgot-password", { email });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("If an account exists for");
    await expect
      .poll(() => server.logs.filter((line) => line.includes('"mail":"password_reset"') && line.includes("mail delivery failed")).length)
      .toBeGreaterThan(0);
    // Never a token in the logs.
    expect(server.logs.join("\n")).not.toMatch(/token=/);
  });
});
