import http from "node:http";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countRows } from "../helpers/account";
import { Client, PASSWORD, registerClient, startServer, type TestServer, uniqueEmail } from "../helpers/server";

let server: TestServer;
const ORIGIN = "https://app.example.test";

beforeAll(async () => {
  server = await startServer({ APP_ORIGIN: ORIGIN });
});
afterAll(async () => {
  await server?.stop();
});

const anon = () => new Client(server.url);
const userCount = () => countRows(server, "users");

describe("cross-site requests", () => {
  it.each([
    ["a foreign Origin", { Origin: "https://evil.example" }],
    ["Origin: null", { Origin: "null" }],
    ["a look-alike Origin", { Origin: `${ORIGIN}.evil.example` }],
    ["Sec-Fetch-Site: cross-site", { "Sec-Fetch-Site": "cross-site" }],
    ["a same Origin but Sec-Fetch-Site: cross-site", { Origin: ORIGIN, "Sec-Fetch-Site": "cross-site" }],
  ])("refuses a state-changing request with %s (403, before any action)", async (_name, headers) => {
    const before = await userCount();
    for (const path of ["/register", "/register.data"]) {
      const response = await anon().post(path, { name: "X", email: uniqueEmail(), password: PASSWORD }, { headers });
      expect(response.status, path).toBe(403);
    }
    expect(await userCount()).toBe(before);
  });

  it("refuses a cross-site logout (the session survives)", async () => {
    const { client } = await registerClient(server);
    const response = await client.post("/logout", {}, { headers: { Origin: "https://evil.example" } });
    expect(response.status).toBe(403);
    expect((await client.get("/dashboard")).status).toBe(200);
  });

  it("accepts the app's own origin and same-site fetches", async () => {
    const response = await anon().post(
      "/register",
      { name: "Same Origin", email: uniqueEmail(), password: PASSWORD },
      { headers: { Origin: ORIGIN, "Sec-Fetch-Site": "same-origin" } },
    );
    expect(response.status).toBe(302);
  });

  it("accepts Origin: null only when the browser says the post is same-origin (no-referrer pages)", async () => {
    const ok = await anon().post(
      "/register",
      { name: "No Referrer", email: uniqueEmail(), password: PASSWORD },
      { headers: { Origin: "null", "Sec-Fetch-Site": "same-origin" } },
    );
    expect(ok.status).toBe(302);
    const forged = await anon().post(
      "/register",
      { name: "No Referrer", email: uniqueEmail(), password: PASSWORD },
      { headers: { Origin: "null", "Sec-Fetch-Site": "same-site" } },
    );
    expect(forged.status).toBe(403);
  });

  it("lets safe methods through from anywhere", async () => {
    const response = await anon().get("/login", { headers: { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" } });
    expect(response.status).toBe(200);
  });
});

describe("headers", () => {
  it("sends an enforced CSP with a fresh nonce that every script carries", async () => {
    const first = await anon().get("/login");
    const second = await anon().get("/login");
    const csp = first.headers.get("Content-Security-Policy")!;
    for (const directive of ["'strict-dynamic'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"]) {
      expect(csp).toContain(directive);
    }
    expect(first.headers.get("Content-Security-Policy-Report-Only")).toBeNull();
    const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
    expect(nonce).not.toBe(/'nonce-([^']+)'/.exec(second.headers.get("Content-Security-Policy")!)![1]);
    const html = await first.text();
    const scripts = html.match(/<script\b[^>]*>/g)!;
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  });

  it("keeps the nonce out of loader data", async () => {
    const response = await anon().get("/login");
    const nonce = /'nonce-([^']+)'/.exec(response.headers.get("Content-Security-Policy")!)![1]!;
    const data = await (await anon().get("/login.data")).text();
    expect(data).not.toContain(nonce);
    const html = await response.text();
    const remixContext = html.slice(html.indexOf("window.__remixContext"));
    expect(remixContext.replaceAll(`nonce="${nonce}"`, "")).not.toContain(nonce);
  });

  it("sends the fixed security headers", async () => {
    const response = await anon().get("/");
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(response.headers.get("Referrer-Policy")).toBe("strict-origin-when-cross-origin");
    expect(response.headers.get("Cross-Origin-Opener-Policy")).toBe("same-origin");
    expect(response.headers.get("Permissions-Policy")).toContain("camera=()");
    expect(response.headers.get("X-Frame-Options")).toBe("DENY");
    expect(response.headers.get("X-Powered-By")).toBeNull();
    // Not production: no HSTS on a plain-HTTP development server.
    expect(response.headers.get("Strict-Transport-Security")).toBeNull();
  });

  it.each(["/api/v1/me.data", "/api.data", "/login", "/dashboard"])("answers %s with a Host header that is no host without a 5xx", async (path) => {
    // fetch sets Host itself: node:http sends it as given.
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.get(new URL(path, server.url), { headers: { Host: "not a host" } }, (response) => {
        response.resume();
        resolve(response.statusCode!);
      });
      request.on("error", reject);
    });
    expect(status).toBe(path.startsWith("/api") ? 401 : path === "/login" ? 200 : 302);
  });

  it("marks signed-in responses no-store", async () => {
    const { client } = await registerClient(server);
    for (const path of ["/dashboard", "/dashboard.data", "/dashboard/notes"]) {
      expect((await client.get(path)).headers.get("Cache-Control"), path).toBe("no-store");
    }
  });
});

describe("body limits", () => {
  it("answers 415 to a body that is not a form", async () => {
    for (const [type, body] of [["application/json", '{"email":"a@b.co"}'], ["text/plain", "hello"], ["", "x=1"]] as const) {
      const response = await anon().request("/login", { method: "POST", body, headers: type ? { "Content-Type": type } : {} });
      expect(response.status, type).toBe(415);
    }
  });

  it("answers 413 to a form over 64 KiB, and 411 to a chunked body", async () => {
    const big = await anon().post("/login", { email: "a@b.c", password: "x".repeat(70_000) });
    expect(big.status).toBe(413);
    const chunked = await fetch(`${server.url}/login`, {
      method: "POST",
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("email=a%40b.c&password=x"));
          controller.close();
        },
      }),
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      duplex: "half",
      redirect: "manual",
    });
    expect(chunked.status).toBe(411);
  });
});

describe("server errors", () => {
  it("answer a plain 500 without a stack trace even outside production", async () => {
    const broken = await startServer();
    try {
      const { client } = await registerClient(broken);
      // The session middleware now fails before Remix is reached.
      await sql`DROP TABLE sessions`.execute(broken.db);
      const response = await client.get("/dashboard");
      expect(response.status).toBe(500);
      const body = await response.text();
      expect(body).toBe("Something went wrong. Please try again.");
      await expect.poll(() => broken.logs.some((line) => line.includes("unhandled server error"))).toBe(true);
    } finally {
      await broken.stop();
    }
  });
});

describe("production", () => {
  it("shows no stack trace or internal message on a server error, on the page or in its data", async () => {
    const prod = await startServer({ NODE_ENV: "production", APP_ORIGIN: ORIGIN, SESSION_COOKIE_SECURE: "false" });
    try {
      const { client } = await registerClient(prod);
      // Break the database under the running app: the notes query now fails.
      await sql`DROP TABLE notes`.execute(prod.db);
      for (const path of ["/dashboard/notes", "/dashboard/notes.data"]) {
        const response = await client.get(path);
        expect(response.status, path).toBe(500);
        const body = await response.text();
        // SQLite's and PostgreSQL's words for the missing table.
        for (const leak of ["no such table", "SqliteError", "does not exist", "DatabaseError", "notes.server", "node_modules", "    at ", "build/index.js", "build/server.js"]) {
          expect(body, `${path} leaks ${leak}`).not.toContain(leak);
        }
      }
      const page = await (await client.get("/dashboard/notes")).text();
      expect(page).toContain("Something went wrong");
    } finally {
      await prod.stop();
    }
  });

  it("sends HSTS and refuses a cross-site POST", async () => {
    const prod = await startServer({ NODE_ENV: "production", APP_ORIGIN: ORIGIN, SESSION_COOKIE_SECURE: "false" });
    try {
      const response = await new Client(prod.url).get("/");
      expect(response.headers.get("Strict-Transport-Security")).toMatch(/max-age=\d+/);
      const post = await new Client(prod.url).post("/login", { email: "a@b.c", password: "x" }, { headers: { Origin: "http://localhost" } });
      expect(post.status).toBe(403);
    } finally {
      await prod.stop();
    }
  });
});
