import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countRows, userByEmail } from "../helpers/account";
import { Client, PASSWORD, registerClient, startServer, type TestServer, uniqueEmail } from "../helpers/server";

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

const anon = () => new Client(server.url);
const sessionCount = (email: string) =>
  countRows(server, "sessions", (q) => q.where("user_id", "=", (eb) => eb.selectFrom("users").select("id").where("email", "=", email)));

describe("protected routes, anonymous", () => {
  it.each([
    ["/dashboard", "/login?redirectTo=%2Fdashboard"],
    ["/dashboard/notes", "/login?redirectTo=%2Fdashboard%2Fnotes"],
    ["/dashboard/notes/42?tab=ab&x=1", "/login?redirectTo=%2Fdashboard%2Fnotes%2F42%3Ftab%3Dab%26x%3D1"],
  ])("GET %s is a 302 to %s", async (path, location) => {
    const response = await anon().get(path);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(location);
  });

  it("keeps the meaning of an encoded query in redirectTo", async () => {
    const response = await anon().get("/dashboard/notes?q=a%20b%26c&x=%2F%2F");
    const redirectTo = new URL(response.headers.get("Location")!, server.url).searchParams.get("redirectTo")!;
    const back = new URL(redirectTo, server.url);
    expect(back.pathname).toBe("/dashboard/notes");
    expect(back.searchParams.get("q")).toBe("a b&c");
    expect(back.searchParams.get("x")).toBe("//");
  });

  it.each(["/dashboard/notes", "/dashboard/notes/1"])("POST %s is a 302 to login and changes nothing", async (path) => {
    const before = await countRows(server, "notes");
    const response = await anon().post(path, { title: "sneaky", intent: "delete" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
    expect(await countRows(server, "notes")).toBe(before);
  });

  // Screens without a form have an action too, so that the guard answers before Remix's bare 405.
  it.each(["/dashboard", "/dashboard?index", "/settings", "/settings?index", "/settings/activity", "/admin/users", "/admin/audit"])(
    "POST, PUT, PATCH and DELETE %s (a screen without a form) go to log in, as a form and as a fetch",
    async (path) => {
      const [pathname, query] = path.split("?");
      const fetchPath = `${pathname}.data${query ? `?${query}` : ""}`;
      for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
        const plain = await anon().request(path, { method, form: { x: "1" } });
        expect(plain.status, `${method} ${path}`).toBe(302);
        // Remix takes `?index` (which picks the index route) off the URL that the guard sees.
        expect(plain.headers.get("Location"), `${method} ${path}`).toBe(`/login?redirectTo=${encodeURIComponent(pathname!)}`);
        const fetched = await anon().request(fetchPath, { method, form: { x: "1" } });
        expect(fetched.status, `${method} ${fetchPath}`).toBeLessThan(400);
        expect(fetched.headers.get("X-Remix-Redirect") ?? (await fetched.text()), `${method} ${fetchPath}`).toContain("/login?redirectTo=");
      }
    },
  );

  it("answers a signed-in POST to a screen without a form with 405, not a 500 or the page", async () => {
    const { client } = await registerClient(server, "Post Person");
    for (const path of ["/dashboard", "/settings", "/settings/activity"]) {
      const response = await client.post(path, { x: "1" });
      expect(response.status, path).toBe(405);
      expect(response.headers.get("Allow"), path).toBe("GET, HEAD");
      const html = await response.text();
      expect(html, path).toContain("<h1>405 Method Not Allowed</h1>");
      expect(html, path).toContain("This page takes no form.");
      expect(html.match(/<title>/g), path).toEqual(["<title>"]);
      expect((await client.post(`${path}.data`, { x: "1" })).status, `${path}.data`).toBe(405);
    }
  });

  it("never leaks a protected route's data through single-fetch or ?_data requests", async () => {
    const { client } = await registerClient(server, "Secret Sauce Name");
    const signedIn = await client.get("/dashboard.data");
    expect(signedIn.status).toBe(200);
    expect(await signedIn.text()).toContain("Secret Sauce Name");

    for (const path of ["/dashboard.data", "/dashboard/notes.data", "/dashboard.data?_routes=routes%2Fdashboard", "/dashboard?_data=routes%2Fdashboard"]) {
      const response = await anon().get(path);
      const body = await response.text();
      expect(response.status, path).toBeGreaterThanOrEqual(200);
      expect(response.status, path).toBeLessThan(400);
      expect(body, path).not.toContain("Secret Sauce Name");
      const target = response.headers.get("X-Remix-Redirect") ?? response.headers.get("Location") ?? body;
      expect(target, path).toContain("/login?redirectTo=%2Fdashboard");
    }
  });
});

describe("login", () => {
  it("answers 400 with the same message and body shape for unknown email, wrong password and inactive account", async () => {
    const { email: inactive } = await registerClient(server);
    await server.db.updateTable("users").set({ active: 0 }).where("email", "=", inactive).execute();
    const { email: known } = await registerClient(server);

    const attempt = async (email: string, password: string) => {
      const response = await anon().post("/login", { email, password });
      const body = (await response.text()).replaceAll(email, "EMAIL").replace(/nonce="[^"]+"/g, 'nonce="N"');
      return { status: response.status, body };
    };
    const unknown = await attempt(uniqueEmail("nobody"), PASSWORD);
    const wrong = await attempt(known, "wrong password!");
    const disabled = await attempt(inactive, PASSWORD);
    for (const result of [unknown, wrong, disabled]) {
      expect(result.status).toBe(400);
      expect(result.body).toContain("Invalid email or password.");
    }
    expect(wrong.body).toBe(unknown.body);
    expect(disabled.body).toBe(unknown.body);
  });

  it("spends a bcrypt comparison on an unknown email too (no timing oracle)", async () => {
    const slow = await startServer({ BCRYPT_COST: "11" });
    try {
      const c = new Client(slow.url);
      const email = uniqueEmail();
      await c.post("/register", { name: "Timing", email, password: PASSWORD });
      const time = async (e: string) => {
        const start = performance.now();
        await new Client(slow.url).post("/login", { email: e, password: "wrong password!" });
        return performance.now() - start;
      };
      await time(uniqueEmail()); // warm the dummy hash
      const unknown: number[] = [];
      const wrong: number[] = [];
      for (let i = 0; i < 5; i++) {
        unknown.push(await time(uniqueEmail()));
        wrong.push(await time(email));
      }
      const median = (xs: number[]) => xs.sort((a, b) => a - b)[2]!;
      // Without the dummy comparison the unknown email would answer ~100x faster.
      expect(median(unknown) / median(wrong)).toBeGreaterThan(0.5);
    } finally {
      await slow.stop();
    }
    // Twelve bcrypt hashes at cost 11, at nice 10: seconds on a quiet machine, far more on a busy one.
  }, 120_000);

  it("gives a message per field for empty input, never a 500", async () => {
    const response = await anon().post("/login", {});
    expect(response.status).toBe(400);
    const body = await response.text();
    expect(body).toContain("Email is required.");
    expect(body).toContain("Password is required.");
  });

  it("redirects to redirectTo with a new session id; the pre-login cookie is dead", async () => {
    const { client, email } = await registerClient(server);
    const before = client.cookies.get("__session")!;
    const response = await client.post("/login", { email, password: PASSWORD, redirectTo: "/dashboard/notes" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/dashboard/notes");
    const after = client.cookies.get("__session")!;
    expect(after).not.toBe(before);
    const replay = new Client(server.url);
    replay.cookies.set("__session", before);
    expect((await replay.get("/dashboard")).status).toBe(302);
    expect((await client.get("/dashboard")).status).toBe(200);
  });

  it("percent-encodes a redirectTo outside Latin-1 instead of failing (was a 500 after the session was made)", async () => {
    const { email } = await registerClient(server);
    const client = anon();
    const response = await client.post("/login", { email, password: PASSWORD, redirectTo: "/✓" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/%E2%9C%93");
    expect((await client.get("/dashboard")).status).toBe(200);
  });

  it.each(["//evil.example", "https://evil.example/x", "/\\evil.example", "javascript:alert(1)"])(
    "ignores the off-site redirectTo %j",
    async (redirectTo) => {
      const { email } = await registerClient(server);
      const response = await anon().post("/login", { email, password: PASSWORD, redirectTo });
      expect(response.headers.get("Location")).toBe("/dashboard");
    },
  );

  it("sets a session cookie without remember, Expires + Max-Age with remember", async () => {
    const { email } = await registerClient(server);
    const plain = await anon().post("/login", { email, password: PASSWORD });
    const plainCookie = plain.headers.getSetCookie().find((c) => c.startsWith("__session="))!;
    expect(plainCookie).not.toMatch(/Expires|Max-Age/i);
    expect(plainCookie).toMatch(/HttpOnly/i);
    expect(plainCookie).toMatch(/SameSite=Lax/i);
    expect(plainCookie).toMatch(/Path=\//);

    const remembered = await anon().post("/login", { email, password: PASSWORD, remember: "on" });
    const cookie = remembered.headers.getSetCookie().find((c) => c.startsWith("__session="))!;
    expect(cookie).toMatch(/Max-Age=2592000/);
    const expires = Date.parse(/Expires=([^;]+)/i.exec(cookie)![1]!);
    expect(Math.abs(expires - Date.now() - 2_592_000_000)).toBeLessThan(10_000);
  });

  it("works as a JavaScript (single fetch) submission to /login.data", async () => {
    const { email } = await registerClient(server);
    const client = anon();
    const response = await client.post("/login.data", { email, password: PASSWORD, redirectTo: "/dashboard/notes" });
    expect(response.status).toBe(202);
    expect(await response.text()).toContain("/dashboard/notes");
    expect(client.cookies.has("__session")).toBe(true);
    expect((await client.get("/dashboard")).status).toBe(200);

    const failed = await anon().post("/login.data", { email, password: "wrong password!" });
    expect(failed.status).toBe(400);
    expect(await failed.text()).toContain("Invalid email or password.");
  });

  it("sends a signed-in visitor from /login to the dashboard", async () => {
    const { client } = await registerClient(server);
    const response = await client.get("/login");
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/dashboard");
  });
});

describe("logout", () => {
  it("POST deletes the server-side session; replaying the old cookie is anonymous", async () => {
    const { client, email } = await registerClient(server);
    const cookie = client.cookieHeader();
    expect(await sessionCount(email)).toBe(1);
    const response = await client.post("/logout", {});
    expect(response.status).toBe(302);
    expect(await sessionCount(email)).toBe(0);
    const replay = await anon().get("/dashboard", { headers: { Cookie: cookie } });
    expect(replay.status).toBe(302);
    expect(replay.headers.get("Location")).toBe("/login?redirectTo=%2Fdashboard");
  });

  it("GET /logout changes nothing", async () => {
    const { client, email } = await registerClient(server);
    const response = await client.get("/logout");
    expect(response.status).toBe(200);
    expect(await sessionCount(email)).toBe(1);
    expect((await client.get("/dashboard")).status).toBe(200);
  });
});

describe("sessions on the server", () => {
  it("makes a user deactivated while signed in anonymous at their next request", async () => {
    const { client, email } = await registerClient(server);
    expect((await client.get("/dashboard")).status).toBe(200);
    await server.db.updateTable("users").set({ active: 0 }).where("email", "=", email).execute();
    expect((await client.get("/dashboard")).status).toBe(302);
  });

  it("makes a deleted user anonymous at their next request", async () => {
    const { client, email } = await registerClient(server);
    await server.db.deleteFrom("users").where("email", "=", email).execute();
    expect((await client.get("/dashboard")).status).toBe(302);
  });

  it.each([
    ["garbage", "__session=garbage"],
    ["forged signature", "__session=eyJzaWQiOiJhYmMifQ%3D%3D.Zm9yZ2Vk"],
    ["truncated", "__session=eyJzaWQiOiJhYmMifQ"],
    ["huge", `__session=${"A".repeat(3000)}`],
    ["control bytes", "__session=%00%0d%0a"],
  ])("treats a %s cookie as anonymous (302, not 500)", async (_name, cookie) => {
    const response = await anon().get("/dashboard", { headers: { Cookie: cookie } });
    expect(response.status).toBe(302);
    const home = await anon().get("/", { headers: { Cookie: cookie } });
    expect(home.status).toBe(200);
  });
});

describe("registration", () => {
  it("creates the account, signs in, normalises the email and ignores extra fields", async () => {
    const client = anon();
    const email = uniqueEmail("Mixed.Case").replace("mixed", "MiXeD");
    const response = await client.post("/register", { name: " New Person ", email: ` ${email} `, password: PASSWORD, active: "0", id: "1" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/dashboard");
    const row = (await userByEmail(server, email.toLowerCase()))!;
    expect(row).toMatchObject({ name: "New Person", active: 1 });
    expect(row.id).not.toBe(1);
    const dashboard = await client.get("/dashboard");
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toContain("Welcome, New Person!");
  });

  it("answers 400 with a message per field", async () => {
    const response = await anon().post("/register", { name: "", email: "nope", password: "short" });
    expect(response.status).toBe(400);
    const body = await response.text();
    expect(body).toContain("Name is required.");
    expect(body).toContain("Enter a valid email address.");
    expect(body).toContain("Password must be at least 8 characters.");
  });

  it("refuses a password over 72 bytes instead of truncating it", async () => {
    const response = await anon().post("/register", { name: "Long", email: uniqueEmail(), password: "ü".repeat(40) });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("at most 72 bytes");
  });

  it("refuses a duplicate email (any case) as a field error", async () => {
    const { email } = await registerClient(server);
    const response = await anon().post("/register", { name: "Again", email: email.toUpperCase(), password: PASSWORD });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("An account with this email already exists.");
  });

  it("escapes a script-looking name", async () => {
    const client = anon();
    await client.post("/register", { name: "<script>alert(1)</script>", email: uniqueEmail(), password: PASSWORD });
    const body = await (await client.get("/dashboard")).text();
    expect(body).not.toContain("<script>alert(1)</script>");
    expect(body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });
});

describe("closed registration", () => {
  it("answers 403 to the page and the form", async () => {
    const closed = await startServer({ REGISTRATION: "closed" });
    try {
      const page = await new Client(closed.url).get("/register");
      expect(page.status).toBe(403);
      expect(await page.text()).toContain("Registration is closed");
      const post = await new Client(closed.url).post("/register", { name: "X", email: uniqueEmail(), password: PASSWORD });
      expect(post.status).toBe(403);
      expect(await countRows(closed, "users")).toBe(0);
    } finally {
      await closed.stop();
    }
  });
});

describe("server", () => {
  it("sends security headers and no X-Powered-By", async () => {
    const response = await anon().get("/");
    expect(response.headers.get("X-Powered-By")).toBeNull();
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(response.headers.get("Referrer-Policy")).toBe("strict-origin-when-cross-origin");
    expect(response.headers.get("Cache-Control")).toBe("no-store");
  });

  it("answers 404 for an unknown page", async () => {
    const response = await anon().get("/no/such/page");
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("Page not found");
  });

  it("answers 413 to an oversized form", async () => {
    const response = await anon().post("/login", { email: "a@b.c", password: "x".repeat(100_000) });
    expect(response.status).toBe(413);
  });
});
