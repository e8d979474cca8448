import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, registerClient, startServer, type TestServer, grantRole } from "../helpers/server";

/**
 * Every action gets hostile input (huge strings, NUL bytes, emoji, repeated
 * and missing fields, JSON and multipart bodies, prototype keys, broken
 * encodings) as a plain form post and as a single-fetch post, and must never
 * answer 5xx.
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
  "role", "active", "intent", "title", "body", "sessionId", "token", "q", "page",
];
const INTENTS = ["", "delete", "revoke", "revoke-others", "start", "confirm", "disable", "regenerate-codes", "cancel", "update-name", "resend-confirmation", "end-sessions", "\u0000", "x".repeat(1000)];

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

beforeAll(async () => {
  server = await startServer();
  let email: string;
  ({ client: signedIn, email } = await registerClient(server, "Fuzz Admin"));
  // An admin, so the admin area's actions are reached too (user 2 is someone to act on).
  grantRole(server, email);
  await registerClient(server, "Fuzz Target");
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

describe("odd requests", () => {
  it.each([
    ["a very long URL", `/dashboard/notes/${"9".repeat(5000)}`],
    ["a NUL in the path", "/dashboard/%00"],
    ["a bad percent-encoding in the path", "/login/%E0%A4%A"],
    ["a huge query", `/login?redirectTo=${"%2F".repeat(3000)}`],
    ["a prototype key in the query", "/admin/audit?__proto__=1&type=constructor"],
    ["a data request for an unknown route", "/nowhere.data"],
    ["a data request naming unknown routes", "/dashboard.data?_routes=routes%2Fnope,root"],
  ])("answers %s without a 5xx", async (_name, path) => {
    const response = await signedIn.get(path);
    expect(response.status).toBeLessThan(500);
  });
});
