import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activityOf, countRows, makeStale, userIdOf } from "../helpers/account";
import { callApi, createToken, postCreateToken, tokenRow } from "../helpers/api";
import { Client, grantRole, PASSWORD, registerClient, startServer, type TestServer } from "../helpers/server";

/**
 * Personal API tokens over HTTP against the built server: the token page, the
 * bearer-only API and every outcome SPEC.md names for it (401, 403, 429, 400,
 * 404, 405), revocation at the next request, and what revokes a token.
 */

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

function userId(email: string): Promise<number> {
  return userIdOf(server, email);
}

async function userWithToken(options: Parameters<typeof createToken>[1] = {}) {
  const { client, email } = await registerClient(server, "Token Owner");
  const token = await createToken(client, options);
  return { client, email, id: await userId(email), token };
}

async function expectUnauthorized(response: Response) {
  expect(response.status).toBe(401);
  expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer\b/);
  expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
  expect(response.headers.get("Location")).toBeNull();
  const body = (await response.json()) as { error: string };
  expect(body.error).toEqual(expect.any(String));
}

describe("the token page (/settings/api-tokens)", () => {
  it("shows a new token once, in a <code>, stored only as a hash with a lookup id", async () => {
    const { client } = await registerClient(server, "Page User");
    const { response, token, html } = await postCreateToken(client, { name: "backup script", scopes: ["notes:read", "notes:write"] });
    expect(response.status).toBe(200);
    expect(token).toMatch(/^rak_[0-9a-f]{16}_[0-9a-f]{64}$/);
    const row = await tokenRow(server, token!);
    expect(row).toMatchObject({ name: "backup script", scopes: "notes:read notes:write", revoked_at: null });
    expect(row.secret_hash).toBe(createHash("sha256").update(token!.split("_")[2]!).digest("hex"));
    // 30 days by default.
    expect(row.expires_at! - row.created_at).toBe(30 * 86_400_000);
    // Nothing stores the token itself.
    const dump =
      JSON.stringify(await server.db.selectFrom("api_tokens").selectAll().execute()) + JSON.stringify(await server.db.selectFrom("activity").selectAll().execute());
    expect(dump).not.toContain(token!.split("_")[2]);
    expect(server.logs.join("\n")).not.toContain(token!.split("_")[2]);
    expect(html).toContain("shown only this once");

    // The list shows it without the secret.
    const page = await (await client.get("/settings/api-tokens")).text();
    expect(page).toContain("backup script");
    expect(page).toContain("notes:read, notes:write");
    expect(page).not.toContain(token!);
  });

  it("creates a token from the spec's fields alone (no `intent`)", async () => {
    const { client } = await registerClient(server);
    const response = await client.request("/settings/api-tokens", {
      method: "POST",
      body: "name=plain&scopes=notes%3Aread&scopes=profile%3Aread&expiresIn=30d",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(response.status).toBe(200);
    const token = /<code class="token-value">(rak_[^<]+)<\/code>/.exec(await response.text())?.[1];
    expect(token).toBeDefined();
    expect((await callApi(server, "/api/v1/me", { token })).status).toBe(200);
  });

  it("allows `never` and flags it", async () => {
    const { client } = await registerClient(server);
    const token = await createToken(client, { name: "forever", expiresIn: "never" });
    expect((await tokenRow(server, token)).expires_at).toBeNull();
    expect(await (await client.get("/settings/api-tokens")).text()).toContain("Never expires");
  });

  it("answers 400 with a message per field for bad input, and creates nothing", async () => {
    const { client, email } = await registerClient(server);
    const { response, html } = await postCreateToken(client, { name: "", scopes: [], expiresIn: "forever" });
    expect(response.status).toBe(400);
    expect(html).toContain("Name is required.");
    expect(html).toContain("Choose at least one scope.");
    expect(html).toContain("Choose one of the listed expiries.");
    const unknownScope = await postCreateToken(client, { name: "x", scopes: ["admin:all"] });
    expect(unknownScope.response.status).toBe(400);
    expect(unknownScope.html).toContain("Choose from the listed scopes.");
    const id = await userId(email);
    expect(await countRows(server, "api_tokens", (q) => q.where("user_id", "=", id))).toBe(0);
  });

  it("needs a fresh login to create a token (a stale session goes to /reauthenticate), not to revoke one", async () => {
    const { client, email, token } = await userWithToken();
    await makeStale(server, email);
    const { response } = await postCreateToken(client, { name: "late" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/reauthenticate?redirectTo=%2Fsettings%2Fapi-tokens");
    const revoke = await client.post("/settings/api-tokens", { intent: "revoke", tokenId: String((await tokenRow(server, token)).id) });
    expect(revoke.status).toBe(302);
    expect((await tokenRow(server, token)).revoked_at).not.toBeNull();
  });

  it("sends an anonymous visitor to log in, and cannot revoke another user's token (404)", async () => {
    const anonymous = await new Client(server.url).get("/settings/api-tokens");
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("Location")).toBe("/login?redirectTo=%2Fsettings%2Fapi-tokens");
    const victim = await userWithToken();
    const { client: attacker } = await registerClient(server);
    const response = await attacker.post("/settings/api-tokens", { intent: "revoke", tokenId: String((await tokenRow(server, victim.token)).id) });
    expect(response.status).toBe(404);
    expect((await tokenRow(server, victim.token)).revoked_at).toBeNull();
    expect((await callApi(server, "/api/v1/me", { token: victim.token })).status).toBe(200);
  });
});

describe("401: no valid bearer token", () => {
  it.each([
    ["missing", null, {}],
    ["another scheme", null, { Authorization: "Basic dXNlcjpwYXNz" }],
    ["malformed", "not-a-token", {}],
    ["with a NUL and emoji", "rak_\u0000😀", {}],
    ["unknown (well-formed)", `rak_${"1".repeat(16)}_${"2".repeat(64)}`, {}],
  ])("%s", async (_name, token, headers) => {
    const response = await callApi(server, "/api/v1/me", { token: token === null ? null : encodeURIComponent(token), headers });
    await expectUnauthorized(response);
  });

  it("a real lookup id with a wrong secret", async () => {
    const { token } = await userWithToken();
    const forged = `${token.slice(0, -4)}${token.endsWith("0000") ? "1111" : "0000"}`;
    await expectUnauthorized(await callApi(server, "/api/v1/me", { token: forged }));
  });

  it("a signed-in browser's cookie does not count on /api (never a redirect to /login)", async () => {
    const { client } = await registerClient(server);
    const response = await client.get("/api/v1/me");
    await expectUnauthorized(response);
    const post = await client.request("/api/v1/notes", { method: "POST", body: JSON.stringify({ title: "x" }), headers: { "Content-Type": "application/json" } });
    await expectUnauthorized(post);
  });

  it("an expired token (its expiry moved into the past), and says so to no one but the log", async () => {
    const { token, id } = await userWithToken();
    expect((await callApi(server, "/api/v1/me", { token })).status).toBe(200);
    await server.db.updateTable("api_tokens").set({ expires_at: Date.now() - 1 }).where("id", "=", (await tokenRow(server, token)).id).execute();
    const response = await callApi(server, "/api/v1/me", { token });
    await expectUnauthorized(response);
    expect(response.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
    expect((await activityOf(server, id)).filter((e) => e.type === "api_token_refused").map((e) => JSON.parse(e.details))).toEqual([
      { token: "script", reason: "expired" },
    ]);
  });

  it("a revoked token, from the very next request; refused uses are logged once, not per request", async () => {
    const { client, token, id } = await userWithToken();
    expect((await callApi(server, "/api/v1/me", { token })).status).toBe(200);
    const revoke = await client.post("/settings/api-tokens", { intent: "revoke", tokenId: String((await tokenRow(server, token)).id) });
    expect(revoke.status).toBe(302);
    for (let i = 0; i < 3; i++) await expectUnauthorized(await callApi(server, "/api/v1/me", { token }));
    const types = (await activityOf(server, id)).map((e) => e.type);
    expect(types.filter((t) => t === "api_token_refused")).toHaveLength(1);
    expect(types).toEqual(expect.arrayContaining(["api_token_created", "api_token_new_address", "api_token_revoked", "api_token_refused"]));
    expect(await (await client.get("/settings/api-tokens")).text()).toContain("You have no API tokens.");
  });
});

describe("scopes", () => {
  it("403 names the missing scope; notes:write includes reading", async () => {
    const { client, id, token: profileOnly } = await userWithToken({ scopes: ["profile:read"] });
    const readOnly = await createToken(client, { name: "reader", scopes: ["notes:read"] });
    const writer = await createToken(client, { name: "writer", scopes: ["notes:write"] });

    const refused = await callApi(server, "/api/v1/notes", { token: profileOnly });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: "This token lacks the scope notes:read.", scope: "notes:read" });
    expect(refused.headers.get("WWW-Authenticate")).toContain('error="insufficient_scope"');

    const write = await callApi(server, "/api/v1/notes", { token: readOnly, method: "POST", json: { title: "No" } });
    expect(write.status).toBe(403);
    expect(await write.json()).toMatchObject({ scope: "notes:write" });
    expect((await callApi(server, "/api/v1/me", { token: readOnly })).status).toBe(403);

    expect((await callApi(server, "/api/v1/notes", { token: readOnly })).status).toBe(200);
    expect((await callApi(server, "/api/v1/notes", { token: writer })).status).toBe(200);
    expect((await callApi(server, "/api/v1/me", { token: profileOnly })).status).toBe(200);
    const refusals = (await activityOf(server, id)).filter((e) => e.type === "api_token_refused").map((e) => JSON.parse(e.details));
    expect(refusals).toEqual(expect.arrayContaining([{ token: "reader", reason: "missing scope notes:write" }]));
  });
});

describe("the API with a token", () => {
  it("GET /api/v1/me answers the owner as JSON", async () => {
    const { token, email, id } = await userWithToken();
    const response = await callApi(server, "/api/v1/me", { token });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ id, email, name: "Token Owner", roles: ["user"], createdAt: expect.any(String) });
  });

  it("creates, reads, changes, lists (with a cursor) and deletes notes", async () => {
    const { token } = await userWithToken({ scopes: ["notes:write"] });
    const created = await callApi(server, "/api/v1/notes", { token, method: "POST", json: { title: " First ", body: "Hello" } });
    expect(created.status).toBe(201);
    const note = (await created.json()) as { id: number };
    expect(note).toEqual({ id: expect.any(Number), title: "First", body: "Hello", createdAt: expect.any(String) });
    expect(created.headers.get("Location")).toBe(`/api/v1/notes/${note.id}`);

    expect(await (await callApi(server, `/api/v1/notes/${note.id}`, { token })).json()).toMatchObject({ id: note.id, title: "First" });
    const patched = await callApi(server, `/api/v1/notes/${note.id}`, { token, method: "PATCH", json: { body: "Changed" } });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ id: note.id, title: "First", body: "Changed" });

    for (const title of ["Second", "Third", "Fourth", "Fifth"]) {
      expect((await callApi(server, "/api/v1/notes", { token, method: "POST", json: { title } })).status).toBe(201);
    }
    const titles: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await callApi(server, `/api/v1/notes?limit=2${cursor ? `&cursor=${cursor}` : ""}`, { token });
      expect(page.status).toBe(200);
      const body = (await page.json()) as { items: { title: string }[]; next: string | null; nextCursor: string | null };
      expect(body.nextCursor).toBe(body.next);
      titles.push(...body.items.map((item) => item.title));
      cursor = body.next;
      pages++;
    } while (cursor !== null);
    expect(titles).toEqual(["Fifth", "Fourth", "Third", "Second", "First"]);
    expect(pages).toBe(3);

    const deleted = await callApi(server, `/api/v1/notes/${note.id}`, { token, method: "DELETE" });
    expect(deleted.status).toBe(204);
    expect((await callApi(server, `/api/v1/notes/${note.id}`, { token })).status).toBe(404);
  });

  it("404 for another user's note (read, change, delete), an unknown id and a malformed id", async () => {
    const owner = await userWithToken({ scopes: ["notes:write"] });
    const note = (await (await callApi(server, "/api/v1/notes", { token: owner.token, method: "POST", json: { title: "Mine" } })).json()) as { id: number };
    const other = await userWithToken({ scopes: ["notes:write"] });
    for (const [method, json] of [["GET", undefined], ["PATCH", { title: "Stolen" }], ["DELETE", undefined]] as const) {
      const response = await callApi(server, `/api/v1/notes/${note.id}`, { token: other.token, method, json });
      expect(response.status, method).toBe(404);
      expect(await response.json()).toEqual({ error: "There is no such note." });
    }
    expect(await (await callApi(server, `/api/v1/notes/${note.id}`, { token: owner.token })).json()).toMatchObject({ title: "Mine" });
    for (const id of ["999999999", "abc", "-1", "1.5", "9".repeat(40)]) {
      expect((await callApi(server, `/api/v1/notes/${id}`, { token: owner.token })).status, id).toBe(404);
    }
    const otherList = (await (await callApi(server, "/api/v1/notes", { token: other.token })).json()) as { items: unknown[] };
    expect(otherList.items).toEqual([]);
  });

  it("400 with a message per field for bad JSON, a body that is not JSON and bad values", async () => {
    const { token } = await userWithToken({ scopes: ["notes:write"] });
    const cases: [BodyInit, string, number, Record<string, unknown>][] = [
      ["{not json", "application/json", 400, { error: "The body is not valid JSON.", fields: { body: "Expected a JSON object." } }],
      ["[1,2]", "application/json", 400, { fields: { body: "Expected a JSON object." } }],
      ["{}", "application/json", 400, { fields: { title: "Title is required." } }],
      [JSON.stringify({ title: "", body: 5 }), "application/json", 400, { fields: { title: "Title is required.", body: "Text must be a string." } }],
      [JSON.stringify({ title: "x".repeat(201) }), "application/json", 400, { fields: { title: "Title must be at most 200 characters." } }],
      [JSON.stringify({ title: "ok", titel: "typo" }), "application/json", 400, { fields: { titel: "Unknown field." } }],
      // Names every object has: each still gets its message.
      ['{"title":"ok","constructor":1,"__proto__":2}', "application/json", 400, { fields: JSON.parse('{"constructor":"Unknown field.","__proto__":"Unknown field."}') as object }],
      ["title=form", "application/x-www-form-urlencoded", 400, { error: "Send the body as JSON, with Content-Type: application/json.", fields: { body: "Expected a JSON object." } }],
      ["title", "text/plain", 400, { error: "The body is not valid JSON.", fields: { body: "Expected a JSON object." } }],
      // Over the server's body limit: refused before the route, in the API's JSON shape.
      [JSON.stringify({ title: "big", body: "x".repeat(70_000) }), "application/json", 413, { error: "The request is too large." }],
    ];
    for (const [body, type, status, expected] of cases) {
      const response = await callApi(server, "/api/v1/notes", { token, method: "POST", body, headers: { "Content-Type": type } });
      expect(response.status, String(body)).toBe(status);
      expect(await response.json(), String(body)).toMatchObject(expected);
    }
    // JSON sent as fetch's and curl's default types (text/plain, form type absent) is read as JSON.
    for (const type of ["text/plain;charset=UTF-8", ""]) {
      const plain = await callApi(server, "/api/v1/notes", { token, method: "POST", body: JSON.stringify({ title: `plain ${type}` }), headers: type ? { "Content-Type": type } : {} });
      expect(plain.status, type).toBe(201);
    }
    const note = (await (await callApi(server, "/api/v1/notes", { token, method: "POST", json: { title: "t" } })).json()) as { id: number };
    const empty = await callApi(server, `/api/v1/notes/${note.id}`, { token, method: "PATCH", json: {} });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ fields: { body: "Send `title`, `body` or both." } });
    for (const query of ["limit=0", "limit=101", "limit=abc", "cursor=xyz", "cursor=0"]) {
      const response = await callApi(server, `/api/v1/notes?${query}`, { token });
      expect(response.status, query).toBe(400);
      expect(Object.keys(((await response.json()) as { fields: object }).fields)).toHaveLength(1);
    }
  });

  it("405 with Allow for a method a route does not take", async () => {
    const { token } = await userWithToken({ scopes: ["profile:read", "notes:write"] });
    for (const [path, method, allow] of [
      ["/api/v1/me", "POST", "GET"],
      ["/api/v1/me", "DELETE", "GET"],
      ["/api/v1/notes", "PUT", "GET, POST"],
      ["/api/v1/notes/1", "POST", "GET, PATCH, DELETE"],
      ["/api/v1/openapi.json", "POST", "GET"],
    ]) {
      const response = await callApi(server, path!, { token, method });
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.headers.get("Allow")).toBe(allow);
      expect(await response.json()).toMatchObject({ error: expect.stringContaining("not allowed") });
    }
  });

  it("skips the same-origin check on /api only: a cross-origin POST with a token works; pages still refuse", async () => {
    const { client, token } = await userWithToken({ scopes: ["notes:write"] });
    const api = await callApi(server, "/api/v1/notes", { token, method: "POST", json: { title: "From a script" }, headers: { Origin: "https://elsewhere.example", "Sec-Fetch-Site": "cross-site" } });
    expect(api.status).toBe(201);
    const page = await client.request("/dashboard/notes", { method: "POST", body: "title=x", headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "https://elsewhere.example" } });
    expect(page.status).toBe(403);
  });

  /** Paths that are not the API's own URLs, although they name it or one of its routes. */
  const NOT_THE_API = [
    ["/api/v2/whatever", "GET"],
    ["/api", "DELETE"],
    ["/api.data", "GET"],
    ["/api/v1/me.data", "GET"],
    ["/api/v1/me?_data=routes%2Fapi.v1.me", "GET"],
    ["/api/v1/notes.data", "POST"],
    ["/API/v1/me", "GET"],
    ["/Api/v1/notes", "POST"],
    ["/%61pi/v1/me", "GET"],
    ["/API.data", "GET"],
  ] as const;

  it("answers JSON 404 for unknown /api paths, Remix's data URLs of API routes and other spellings of API paths (401 without a token), and serves the OpenAPI document publicly", async () => {
    const { token, id } = await userWithToken({ scopes: ["notes:write", "profile:read"] });
    for (const [path, method] of NOT_THE_API) {
      const response = await callApi(server, path!, { token, method, json: method === "POST" ? { title: "via .data" } : undefined });
      expect(response.status, path).toBe(404);
      expect(await response.json()).toEqual({ error: "There is no such API endpoint; see /api/v1/openapi.json." });
    }
    expect(await countRows(server, "notes", (q) => q.where("user_id", "=", id))).toBe(0);
    // Without a valid token, an unknown path is the API's 401 like any other: it does not say what exists.
    for (const [path, method] of [["/api/v2/whatever", "GET"], ["/api", "DELETE"], ["/api.data", "GET"], ["/api/v1/me.data", "GET"], ["/api/v1/me?_data=routes%2Fapi.v1.me", "GET"], ["/api/v1/notes.data", "POST"]]) {
      for (const presented of [undefined, "rak_00000000_nope"]) {
        const refused = await callApi(server, path!, { token: presented, method, json: method === "POST" ? { title: "x" } : undefined });
        expect(refused.status, `${method} ${path} ${presented ?? "no token"}`).toBe(401);
        expect(refused.headers.get("WWW-Authenticate")).toBe(presented ? 'Bearer realm="api", error="invalid_token"' : 'Bearer realm="api"');
        expect(await refused.json()).toEqual({ error: expect.stringMatching(presented ? /not valid/ : /Authorization: Bearer/) });
      }
    }

    const response = await callApi(server, "/api/v1/openapi.json");
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, { properties: object; required?: string[] }> } };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(["/me", "/notes", "/notes/{noteId}"]);
    expect(Object.keys(doc.paths["/notes/{noteId}"]!)).toEqual(["parameters", "get", "patch", "delete"]);
    expect(Object.keys(doc.components.schemas.Note!.properties)).toEqual(["id", "title", "body", "createdAt"]);
    expect(doc.components.schemas.User!.properties).toHaveProperty("email");
    // Request bodies as a client may send them: a default makes a field optional.
    expect(doc.components.schemas.NoteCreate!.required).toEqual(["title"]);
  });

  it("writes last use (time and address) at most once a minute, not per request", async () => {
    const { token, client } = await userWithToken();
    expect((await tokenRow(server, token)).last_used_at).toBeNull();
    expect((await callApi(server, "/api/v1/me", { token })).status).toBe(200);
    const first = await tokenRow(server, token);
    expect(first.last_used_at).toEqual(expect.any(Number));
    expect(first.last_used_ip).toMatch(/127\.0\.0\.1/);
    expect((await callApi(server, "/api/v1/me", { token })).status).toBe(200);
    expect((await tokenRow(server, token)).last_used_at).toBe(first.last_used_at);
    // A minute later (moved back in the row), the next use is written.
    await server.db
      .updateTable("api_tokens")
      .set((eb) => ({ last_used_at: eb("last_used_at", "-", 61_000) }))
      .where("id", "=", first.id)
      .execute();
    expect((await callApi(server, "/api/v1/me", { token })).status).toBe(200);
    expect((await tokenRow(server, token)).last_used_at).toBeGreaterThan(first.last_used_at! - 61_000);
    const page = await (await client.get("/settings/api-tokens")).text();
    expect(page.replace(/<!-- -->/g, "")).toMatch(/Last used<\/dt><dd><time[^>]*>[^<]+<\/time> from (::ffff:)?127\.0\.0\.1/);
  });
});

describe("what revokes a token", () => {
  it("an admin deactivating the user; reactivation does not bring it back", async () => {
    const { client: adminClient, email: adminEmail } = await registerClient(server, "Admin");
    await grantRole(server, adminEmail);
    const { token, id, email } = await userWithToken();
    const deactivate = await adminClient.post(`/admin/users/${id}`, { intent: "update", name: "Token Owner", email, role: "user" });
    expect(deactivate.status).toBe(302);
    await expectUnauthorized(await callApi(server, "/api/v1/me", { token }));
    await adminClient.post(`/admin/users/${id}`, { intent: "update", name: "Token Owner", email, role: "user", active: "on" });
    await expectUnauthorized(await callApi(server, "/api/v1/me", { token }));
  });

  it("an admin's \"end all sessions\", and the admin page lists and revokes a user's tokens", async () => {
    const { client: adminClient, email: adminEmail } = await registerClient(server, "Admin");
    await grantRole(server, adminEmail);
    const { token, client, id } = await userWithToken({ name: "phone" });
    const other = await createToken(client, { name: "laptop" });
    const page = await (await adminClient.get(`/admin/users/${id}`)).text();
    expect(page).toContain("phone");
    expect(page).toContain("laptop");
    const revoke = await adminClient.post(`/admin/users/${id}`, { intent: "revoke-token", tokenId: String((await tokenRow(server, other)).id) });
    expect(revoke.status).toBe(302);
    await expectUnauthorized(await callApi(server, "/api/v1/me", { token: other }));
    expect((await callApi(server, "/api/v1/me", { token })).status).toBe(200);
    const adminId = await userId(adminEmail);
    expect((await activityOf(server, id)).find((e) => e.type === "api_token_revoked")).toMatchObject({ actor_id: adminId, subject_id: id });

    const end = await adminClient.post(`/admin/users/${id}`, { intent: "end-sessions" });
    expect(end.status).toBe(302);
    await expectUnauthorized(await callApi(server, "/api/v1/me", { token }));
    // Another user's token id on this user's page is not found.
    const stranger = await userWithToken();
    expect((await adminClient.post(`/admin/users/${id}`, { intent: "revoke-token", tokenId: String((await tokenRow(server, stranger.token)).id) })).status).toBe(404);
  });

  it("deleting the account (the token goes with it)", async () => {
    const { client, token } = await userWithToken();
    const row = await tokenRow(server, token);
    expect((await client.post("/settings/delete-account", { password: PASSWORD })).status).toBe(302);
    await expectUnauthorized(await callApi(server, "/api/v1/me", { token }));
    expect(await countRows(server, "api_tokens", (q) => q.where("id", "=", row.id))).toBe(0);
  });

  it("not a password change (the README says so)", async () => {
    const { client, token } = await userWithToken();
    const changed = await client.post("/settings/password", { currentPassword: PASSWORD, newPassword: "another-long-password-42" });
    expect(changed.status).toBe(302);
    expect((await callApi(server, "/api/v1/me", { token })).status).toBe(200);
  });
});

describe("429 per token and per address (API_RATE_LIMIT=3 per minute, API_IP_RATE_LIMIT=8 per minute)", () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startServer({ API_RATE_LIMIT: "3 per minute", API_IP_RATE_LIMIT: "8 per minute" });
  });
  afterAll(async () => {
    await limited?.stop();
  });

  it("refuses a token's fourth request in the window with Retry-After, then the address's ninth whatever the token", async () => {
    const { client } = await registerClient(limited);
    const [first, second, third] = [await createToken(client, { name: "one" }), await createToken(client, { name: "two" }), await createToken(client, { name: "three" })];
    for (let i = 0; i < 3; i++) expect((await callApi(limited, "/api/v1/me", { token: first })).status).toBe(200);
    const refused = await callApi(limited, "/api/v1/me", { token: first });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: expect.stringMatching(/^Too many requests/) });
    // Another token from the same address still works, until the address's own limit.
    for (let i = 0; i < 3; i++) expect((await callApi(limited, "/api/v1/me", { token: second })).status).toBe(200);
    // 6 of 8 counted for the address (the refused request gave its point back); requests without a token count too,
    // at unknown paths and Remix's data URLs as well.
    expect((await callApi(limited, "/api/v1/me")).status).toBe(401);
    expect((await callApi(limited, "/api/v1/me.data")).status).toBe(401);
    const byAddress = await callApi(limited, "/api/v1/me", { token: third });
    expect(byAddress.status).toBe(429);
    expect(byAddress.headers.get("Retry-After")).toMatch(/^\d+$/);
    for (const path of ["/api/v1/me", "/api/v2/nope", "/api/v1/notes.data"]) expect((await callApi(limited, path)).status, path).toBe(429);
  });
});
