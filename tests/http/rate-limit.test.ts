import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, PASSWORD, registerClient, sameDatabase, startServer, type TestServer, uniqueEmail } from "../helpers/server";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

const WRONG = "not-the-password";

/** A registered account, signed out (its own client holds nothing). */
async function account(on = server) {
  const { email } = await registerClient(on);
  return { email, client: new Client(on.url) };
}

async function failLogins(client: Client, email: string, times: number, init: RequestInit = {}) {
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) statuses.push((await client.post("/login", { email, password: WRONG }, init)).status);
  return statuses;
}

function retryAfter(response: Response): number {
  return Number(response.headers.get("Retry-After"));
}

describe("failed logins (LOGIN_RATE_LIMIT 5 per minute)", () => {
  it("answers 429 with Retry-After and a page saying when, even for the right password", async () => {
    const { email, client } = await account();
    expect(await failLogins(client, email, 5)).toEqual([400, 400, 400, 400, 400]);

    const response = await client.post("/login", { email, password: PASSWORD });
    expect(response.status).toBe(429);
    expect(retryAfter(response)).toBeGreaterThanOrEqual(55);
    expect(retryAfter(response)).toBeLessThanOrEqual(60);
    const page = await response.text();
    expect(page).toContain("Too many attempts");
    expect(page).toMatch(/Try again in (1 minute|\d+ seconds) \(after \d\d:\d\d:\d\d UTC\)/);
    expect(client.cookies.has("__session")).toBe(false);

    // The same through a JavaScript (single fetch) submission.
    const data = await client.post("/login.data", { email, password: PASSWORD });
    expect(data.status).toBe(429);
    expect(retryAfter(data)).toBeGreaterThan(0);
  });

  it("treats an unknown email exactly like a known one", async () => {
    const client = new Client(server.url);
    const email = uniqueEmail("nobody");
    expect(await failLogins(client, email, 5)).toEqual([400, 400, 400, 400, 400]);
    const response = await client.post("/login", { email, password: PASSWORD });
    expect(response.status).toBe(429);
    expect(retryAfter(response)).toBeGreaterThanOrEqual(55);
  });

  it("does not lock another account", async () => {
    const victim = await account();
    const other = await account();
    await failLogins(victim.client, victim.email, 6);
    expect((await victim.client.post("/login", { email: victim.email, password: PASSWORD })).status).toBe(429);
    expect((await other.client.post("/login", { email: other.email, password: PASSWORD })).status).toBe(302);
  });

  it("starts the count again after a successful login", async () => {
    const { email, client } = await account();
    expect(await failLogins(client, email, 4)).toEqual([400, 400, 400, 400]);
    expect((await client.post("/login", { email, password: PASSWORD })).status).toBe(302);
    const fresh = new Client(server.url);
    expect(await failLogins(fresh, email, 5)).toEqual([400, 400, 400, 400, 400]);
    expect((await fresh.post("/login", { email, password: PASSWORD })).status).toBe(429);
  });

  it("logs each lockout in the activity log, for the account, from the client's address", async () => {
    const { email, client } = await account();
    await failLogins(client, email, 5);
    const rows = await server.db
      .selectFrom("activity")
      .innerJoin("users", "users.id", "activity.subject_id")
      .select(["activity.ip", "activity.details"])
      .where("users.email", "=", email)
      .where("activity.type", "=", "lockout")
      .execute();
    expect(rows.map((r) => JSON.parse(r.details).limit).sort()).toEqual(["account", "account-address"]);
    expect(rows[0]!.ip).toBe("127.0.0.1");
    expect(JSON.parse(rows[0]!.details)).toMatchObject({ scope: "password", seconds: 60, lockouts: 1 });
  });

  it("lets a burst of parallel failures have no more than five tries", async () => {
    const { email } = await account();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => new Client(server.url).post("/login", { email, password: WRONG })),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 400)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
  });
});

describe("/reauthenticate", () => {
  it("shares the password limit: after five wrong passwords even the right one gets 429", async () => {
    const { client } = await registerClient(server);
    for (let i = 0; i < 5; i++) expect((await client.post("/reauthenticate", { password: WRONG })).status).toBe(400);
    const response = await client.post("/reauthenticate", { password: PASSWORD, redirectTo: "/dashboard" });
    expect(response.status).toBe(429);
    expect(retryAfter(response)).toBeGreaterThan(0);
    expect(await response.text()).toContain("Too many attempts");
  });
});

describe("the current password on settings forms", () => {
  it.each([
    ["/settings/password", (password: string) => ({ currentPassword: password, newPassword: "a brand new passphrase 42" })],
    ["/settings/delete-account", (password: string) => ({ password })],
  ])("%s shares the password limit: after five wrong ones even the right one gets 429; each wrong one is logged", async (path, fields) => {
    const { client, email } = await registerClient(server);
    for (let i = 0; i < 5; i++) expect((await client.post(path, fields(WRONG))).status).toBe(400);
    const response = await client.post(path, fields(PASSWORD));
    expect(response.status).toBe(429);
    expect(retryAfter(response)).toBeGreaterThan(0);
    expect(await response.text()).toContain("Too many attempts");
    const user = await server.db.selectFrom("users").select(["id", "password_hash"]).where("email", "=", email).executeTakeFirstOrThrow();
    const failures = await server.db.selectFrom("activity").select("id").where("actor_id", "=", user.id).where("type", "=", "reauthentication_failed").execute();
    expect(failures).toHaveLength(5);
    // Refused before the password was checked: nothing changed.
    expect((await client.get("/settings/password")).status).toBe(200);
  });
});

describe("the client address", () => {
  let plain: TestServer;
  let proxied: TestServer;
  beforeAll(async () => {
    [plain, proxied] = await Promise.all([
      startServer({ LOGIN_IP_RATE_LIMIT: "8 per hour" }),
      startServer({ LOGIN_IP_RATE_LIMIT: "8 per hour", TRUST_PROXY: "true" }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([plain?.stop(), proxied?.stop()]);
  });

  /** Failed logins for `count` different unknown emails, each claiming a different X-Forwarded-For. */
  async function sprayWithSpoofedAddresses(on: TestServer, count: number, sameAddress = false) {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      const headers = { "X-Forwarded-For": sameAddress ? "203.0.113.10" : `203.0.113.${i + 1}` };
      statuses.push((await new Client(on.url).post("/login", { email: uniqueEmail("spray"), password: WRONG }, { headers })).status);
    }
    return statuses;
  }

  it("ignores X-Forwarded-For without TRUST_PROXY: a spoofed header does not escape the per-address limit", async () => {
    const statuses = await sprayWithSpoofedAddresses(plain, 9);
    expect(statuses).toEqual([400, 400, 400, 400, 400, 400, 400, 400, 429]);
    const ips = await plain.db.selectFrom("activity").select("ip").distinct().where("type", "=", "lockout").execute();
    expect(ips).toEqual([{ ip: "127.0.0.1" }]);
  });

  it("with TRUST_PROXY counts the address the proxy reports", async () => {
    expect(await sprayWithSpoofedAddresses(proxied, 9)).toEqual(Array(9).fill(400));
    expect(await sprayWithSpoofedAddresses(proxied, 9, true)).toEqual([400, 400, 400, 400, 400, 400, 400, 400, 429]);
    const ips = await proxied.db.selectFrom("activity").select("ip").distinct().where("type", "=", "lockout").execute();
    expect(ips).toEqual([{ ip: "203.0.113.10" }]);
  });
});

describe("persistence", () => {
  it("keeps a lockout across a restart (the counts live in the database)", async () => {
    const first = await startServer();
    const { email, client } = await account(first);
    await failLogins(client, email, 5);
    await first.stop();
    const second = await startServer({}, sameDatabase(first));
    try {
      const response = await new Client(second.url).post("/login", { email, password: PASSWORD });
      expect(response.status).toBe(429);
      expect(retryAfter(response)).toBeGreaterThan(0);
    } finally {
      await second.stop();
    }
  });
});

describe("registration (issue 11: it tells whether an address has an account)", () => {
  it("limits attempts per client address with LOGIN_IP_RATE_LIMIT: 429 with Retry-After, for new and taken addresses alike", async () => {
    const limited = await startServer({ LOGIN_IP_RATE_LIMIT: "3 per hour" });
    try {
      const { email: taken } = await registerClient(limited);
      expect((await new Client(limited.url).post("/register", { name: "Probe", email: taken, password: PASSWORD })).status).toBe(400);
      expect((await new Client(limited.url).post("/register", { name: "Fresh", email: uniqueEmail("fresh"), password: PASSWORD })).status).toBe(302);
      for (const email of [taken, uniqueEmail("late")]) {
        const response = await new Client(limited.url).post("/register", { name: "Probe", email, password: PASSWORD });
        expect(response.status).toBe(429);
        expect(Number(response.headers.get("Retry-After"))).toBeGreaterThan(0);
        const body = await response.text();
        expect(body).toContain("Too many attempts");
        expect(body).not.toContain("already exists");
      }
      // A malformed form is answered without counting: its errors say nothing about anyone.
      expect((await new Client(limited.url).post("/register", { name: "", email: "nope", password: "x" })).status).toBe(400);
    } finally {
      await limited.stop();
    }
  });
});

describe("limits on mail-sending forms", () => {
  it("answers 429 with Retry-After to /forgot-password past the limit, for known and unknown addresses alike", async () => {
    const limited = await startServer({ LOGIN_RATE_LIMIT: "2 per minute" });
    try {
      const { email } = await registerClient(limited);
      for (const address of [email, `nobody-${Date.now()}@example.com`]) {
        const statuses: number[] = [];
        let last: Response | undefined;
        for (let i = 0; i < 3; i++) {
          last = await new Client(limited.url).post("/forgot-password", { email: address });
          statuses.push(last.status);
        }
        expect(statuses).toEqual([200, 200, 429]);
        expect(Number(last!.headers.get("Retry-After"))).toBeGreaterThan(0);
        expect(await last!.text()).toContain("Too many attempts");
      }
    } finally {
      await limited.stop();
    }
  });

  it("answers 429 to the confirmation resend past the limit", async () => {
    const limited = await startServer({ LOGIN_RATE_LIMIT: "2 per minute" });
    try {
      const { client } = await registerClient(limited);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await client.post("/settings/profile", { intent: "resend-confirmation" })).status);
      expect(statuses).toEqual([302, 302, 429]);
    } finally {
      await limited.stop();
    }
  });

  it("answers 429 to email changes past the limit (each mails a link and says whether an address is taken), with Retry-After", async () => {
    const limited = await startServer({ LOGIN_RATE_LIMIT: "2 per minute" });
    try {
      const { client } = await registerClient(limited);
      const { email: taken } = await registerClient(limited);
      const answers = [];
      for (const email of [uniqueEmail("new"), taken, uniqueEmail("new")]) answers.push(await client.post("/settings/email", { email }));
      expect(answers.map((answer) => answer.status)).toEqual([302, 400, 429]);
      expect(Number(answers[2]!.headers.get("Retry-After"))).toBeGreaterThan(0);
      expect(await answers[2]!.text()).toContain("Back to your email settings");
    } finally {
      await limited.stop();
    }
  });
});
