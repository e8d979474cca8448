import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, createToken } from "../helpers/api";
import { Client, registerClient, startServer, type TestServer, grantRole } from "../helpers/server";

/**
 * Every action gets hostile input (huge strings, NUL bytes, emoji, repeated
 * and missing fields, JSON and multipart bodies, prototype keys, broken
 * encodings) as a plain form post and as a single-fetch post, and must never
 * answer 5xx. The JSON API gets the same bodies and hostile JSON with every
 * method, with a token holding every scope, and hostile Authorization headers.
 */

const ANONYMOUS_ACTIONS = ["/login", "/login/two-factor", "/register", "/forgot-password", "/reset-password", "/verify-email", "/logout"];
const SIGNED_IN_ACTIONS = [
  "/reauthenticate",
  "/dashboard/notes",
  "/dashboard/notes/1",
  "/settings/profile",
  "/settings/email",
  "/settings/password",
  "/settings/two-factor",
  "/settings/sessions",
  "/settings/api-tokens",
  "/settings/passkeys",
  "/settings/connections",
  "/settings/delete-account",
  "/admin/audit",
  "/admin/users",
  "/admin/users/new",
  "/admin/users/2",
  "/admin/users/999999",
  "/admin/users/abc",
];
const FIELDS = [
  "email", "password", "remember", "redirectTo", "code", "name", "currentPassword", "newPassword",
  "role", "active", "intent", "title", "body", "sessionId", "token", "q", "page", "scopes", "expiresIn", "tokenId",
  "passkeyId", "identityId",
];
const INTENTS = [
  "", "delete", "revoke", "revoke-others", "start", "confirm", "disable", "regenerate-codes", "cancel", "update-name", "resend-confirmation",
  "end-sessions", "create", "revoke-token", "rename", "unlink", "constructor", "toString", "\u0000", "x".repeat(1000),
];

type Body = { name: string; body: BodyInit; contentType?: string };

function urlencoded(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
}

function bodies(): Body[] {
  const form = "application/x-www-form-urlencoded";
  const all = (value: string) => FIELDS.map((f) => [f, value] as [string, string]);
  const multipart = new FormData();
  for (const f of FIELDS) multipart.append(f, new Blob(["\u0000binary\u00ff"], { type: "application/octet-stream" }), "evil.bin");
  const mixed = new FormData();
  for (const f of FIELDS) mixed.append(f, "plain");
  mixed.append("intent", "delete");
  return [
    { name: "empty", body: "", contentType: form },
    { name: "60 KB strings", body: urlencoded(FIELDS.slice(0, 1).map((f) => [f, "a".repeat(60_000)])), contentType: form },
    { name: "long strings in every field", body: urlencoded(all("b".repeat(3_000))), contentType: form },
    { name: "NUL and control bytes", body: urlencoded(all("a\u0000b\r\nc\u001b[31m")), contentType: form },
    { name: "emoji and RTL", body: urlencoded(all("😀👩‍👩‍👧‍👦\u202eevil")), contentType: form },
    { name: "repeated fields", body: urlencoded([...all("one"), ...all("two"), ...all("")]), contentType: form },
    // Ids are 32-bit integers on PostgreSQL: a bigger one must be refused before it reaches the database.
    { name: "ids past 32 bits", body: urlencoded(all("3000000000")), contentType: form },
    ...INTENTS.map((intent) => ({ name: `intent ${JSON.stringify(intent.slice(0, 10))}`, body: urlencoded([["intent", intent], ...all("x")]), contentType: form })),
    { name: "prototype keys", body: urlencoded([["__proto__", "x"], ["constructor", "y"], ["__proto__[admin]", "1"], ["prototype", "z"]]), contentType: form },
    { name: "broken percent-encoding", body: "email=%ZZ&password=%&name=%E0%A4%A", contentType: form },
    { name: "JSON", body: JSON.stringify({ email: "a@b.co", password: "x", __proto__: { admin: true } }), contentType: "application/json" },
    { name: "JSON array", body: "[1,2,3]", contentType: "application/json" },
    { name: "plain text", body: "just some text", contentType: "text/plain" },
    { name: "multipart with files", body: multipart },
    { name: "multipart with fields", body: mixed },
    { name: "broken multipart", body: "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb", contentType: "multipart/form-data; boundary=y" },
  ];
}

let server: TestServer;
let signedIn: Client;
/** A token with every scope, so the API's validation (not its guard) meets the input. */
let token: string;

beforeAll(async () => {
  // API limits out of the way: the fuzzer wants the API's validation to meet every input, not the rate limiter.
  server = await startServer({ API_RATE_LIMIT: "100000 per minute", API_IP_RATE_LIMIT: "100000 per minute" });
  let email: string;
  ({ client: signedIn, email } = await registerClient(server, "Fuzz Admin"));
  // An admin, so the admin area's actions are reached too (user 2 is someone to act on).
  await grantRole(server, email);
  await registerClient(server, "Fuzz Target");
  token = await createToken(signedIn, { name: "fuzz", scopes: ["profile:read", "notes:read", "notes:write"] });
  // A note of the fuzzer's own, so PATCH and DELETE of /api/v1/notes/1 reach the database.
  await callApi(server, "/api/v1/notes", { token, method: "POST", json: { title: "fuzzed" } });
});
afterAll(async () => {
  await server?.stop();
});

async function post(client: Client, path: string, { body, contentType }: Body): Promise<number> {
  const headers: Record<string, string> = contentType ? { "Content-Type": contentType } : {};
  const response = await client.request(path, { method: "POST", body, headers });
  await response.arrayBuffer();
  return response.status;
}

describe("fuzzing every action", () => {
  for (const [group, paths] of [["anonymous", ANONYMOUS_ACTIONS], ["signed in", SIGNED_IN_ACTIONS]] as const) {
    for (const path of paths) {
      it(`${group} ${path} never answers 5xx`, async () => {
        const failures: string[] = [];
        for (const target of [path, `${path}.data`]) {
          for (const body of bodies()) {
            const client = group === "anonymous" ? new Client(server.url) : signedIn;
            const status = await post(client, target, body);
            if (status >= 500) failures.push(`${target} ${body.name}: ${status}`);
          }
        }
        expect(failures.join("\n")).toBe("");
      });
    }
  }

  it("still works afterwards (the fuzzed session is intact, the server is up)", async () => {
    const response = await signedIn.get("/dashboard");
    expect([200, 302]).toContain(response.status);
    expect((await new Client(server.url).get("/login")).status).toBe(200);
  });
});

const API_PATHS = ["/api/v1/me", "/api/v1/notes", "/api/v1/notes/1", "/api/v1/notes/999999", "/api/v1/notes/abc", "/api/v1/openapi.json", "/api/v1/nowhere"];
const API_METHODS = ["POST", "PATCH", "PUT", "DELETE"];

/** Hostile JSON: wrong types, deep nesting, huge numbers, prototype keys, odd strings. */
function hostileJson(): Body[] {
  const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
  const json = (name: string, value: unknown): Body => ({ name, body: JSON.stringify(value), contentType: "application/json" });
  return [
    json("null", null),
    json("a string", "title"),
    json("numbers for strings", { title: 1e308, body: -0 }),
    json("arrays for strings", { title: ["a"], body: [{}] }),
    json("objects for strings", { title: { toString: "x" }, body: { length: 1e9 } }),
    json("booleans", { title: true, body: false }),
    json("NUL and RTL", { title: "a\u0000b\u202e", body: "😀".repeat(2_000) }),
    json("too long", { title: "t".repeat(20_000), body: "b".repeat(30_000) }),
    json("empty title", { title: "   " }),
    { name: "prototype keys", body: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}},"title":"p"}', contentType: "application/json" },
    { name: "deep nesting", body: deep, contentType: "application/json" },
    { name: "huge number literal", body: `{"title":"n","body":${"9".repeat(5000)}}`, contentType: "application/json" },
    { name: "duplicate keys", body: '{"title":"a","title":"b"}', contentType: "application/json" },
    { name: "BOM and trailing garbage", body: '\uFEFF{"title":"x"} trailing', contentType: "application/json" },
    { name: "JSON with charset and odd type", body: '{"title":"x"}', contentType: "application/merge-patch+json; charset=latin1" },
    { name: "no content type", body: '{"title":"x"}' },
  ];
}

describe("fuzzing the JSON API", () => {
  for (const path of API_PATHS) {
    it(`${path} never answers 5xx, and always JSON`, async () => {
      const failures: string[] = [];
      for (const method of API_METHODS) {
        for (const body of [...bodies(), ...hostileJson()]) {
          const headers: Record<string, string> = body.contentType ? { "Content-Type": body.contentType } : {};
          const response = await callApi(server, path, { token, method, body: body.body, headers });
          const type = response.headers.get("Content-Type") ?? "";
          if (response.status >= 500) failures.push(`${method} ${path} ${body.name}: ${response.status}`);
          else if (response.status !== 204 && !type.startsWith("application/json")) failures.push(`${method} ${path} ${body.name}: ${type}`);
          await response.arrayBuffer();
        }
      }
      expect(failures.join("\n")).toBe("");
    });
  }

  it.each([
    ["an empty bearer", "Bearer "],
    ["a bearer with spaces", "Bearer rak_ a b"],
    ["a huge bearer", `Bearer rak_${"a".repeat(8_000)}`],
    ["a non-ASCII bearer", "Bearer rak_\u00ff\u00fe"],
    ["a repeated scheme", "Bearer Bearer rak_x"],
    ["lower-case scheme with a forged token", `bearer rak_${"0".repeat(16)}_${"f".repeat(64)}`],
    ["a cookie-looking value", "__session=abc"],
  ])("answers %s with 401, never 5xx", async (_name, authorization) => {
    const response = await callApi(server, "/api/v1/notes", { headers: { Authorization: authorization } });
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
  });

  it("the token still works afterwards", async () => {
    expect((await callApi(server, "/api/v1/me", { token })).status).toBe(200);
  });
});

describe("odd requests", () => {
  it.each([
    ["a very long URL", `/dashboard/notes/${"9".repeat(5000)}`],
    ["a NUL in the path", "/dashboard/%00"],
    ["a bad percent-encoding in the path", "/login/%E0%A4%A"],
    ["a huge query", `/login?redirectTo=${"%2F".repeat(3000)}`],
    ["a prototype key in the query", "/admin/audit?__proto__=1&type=constructor"],
    ["a data request for an unknown route", "/nowhere.data"],
    ["a data request naming unknown routes", "/dashboard.data?_routes=routes%2Fnope,root"],
    ["a huge API cursor", `/api/v1/notes?cursor=${"9".repeat(5000)}&limit=${"1".repeat(400)}`],
    ["prototype keys in an API query", "/api/v1/notes?__proto__=1&constructor=2&limit=1&limit=999"],
    // PostgreSQL refuses NUL in text: each query value must be refused or dropped before it reaches the database.
    ["a NUL in the user search", "/admin/users?q=a%00b"],
    ["a NUL in the audit filters", "/admin/audit?type=login%00failed&user=%00&q=%00"],
    ["a NUL in an API cursor", "/api/v1/notes?cursor=%00"],
    ["a NUL in the redirect after login", "/login?redirectTo=%2Fdashboard%00"],
  ])("answers %s without a 5xx", async (_name, path) => {
    const response = await signedIn.get(path);
    expect(response.status).toBeLessThan(500);
  });

  // Ids are 32-bit integers on PostgreSQL, which refuses a bigger one with an error: such an id names no row.
  it.each([
    ["/dashboard/notes/3000000000", 404],
    ["/admin/users/2147483648", 404],
    ["/admin/users?after=3000000000", 200],
    ["/admin/users?before=3000000000&q=fuzz", 200],
    ["/admin/audit?user=3000000000", 200],
  ])("answers an id past 32 bits, %s, with %i", async (path, status) => {
    const response = await signedIn.get(path);
    expect(response.status).toBe(status);
  });

  it("answers an API note id or cursor past 32 bits with 404 and 400", async () => {
    expect((await callApi(server, "/api/v1/notes/3000000000", { token })).status).toBe(404);
    const page = await callApi(server, "/api/v1/notes?cursor=3000000000", { token });
    expect(page.status).toBe(400);
    expect(await page.json()).toMatchObject({ error: expect.any(String), fields: { cursor: expect.stringContaining("Not a valid cursor") } });
    expect((await callApi(server, "/api/v1/notes?cursor=2147483647", { token })).status).toBe(200);
  });
});
