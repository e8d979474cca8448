import { describe, expect, it } from "vitest";
import {
  constantTimeEqual,
  createApiToken,
  deleteStaleApiTokens,
  parseApiToken,
  REFUSAL_LOG_INTERVAL_MS,
  revokeApiToken,
  TooManyTokensError,
  MAX_TOKENS_PER_USER,
} from "~/api/api-tokens.server";
import { type ApiScope, scopeAllows, type TokenExpiry } from "~/api/scopes";
import { resolveIdentity } from "~/auth/identity.server";
import { serializeSessionCookie } from "~/auth/session-cookie.server";
import { createSession } from "~/auth/sessions.server";
import { db } from "~/db.server";
import { updateUser } from "~/users/users.server";
import { makeUser } from "../helpers/users";

/** The bearer-token resolver of the identity chain, with an injected clock, and the token module under it. */

const home = { userAgent: "script/1.0", ip: "203.0.113.5" };
const MIN = 60_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2030, 0, 1);

async function withToken({ scopes = ["notes:read"], expiresIn = "30d", now = T0 }: { scopes?: ApiScope[]; expiresIn?: TokenExpiry; now?: number } = {}) {
  const user = await makeUser();
  const { token, row } = await createApiToken(user.id, { name: "cli", scopes: [...scopes], expiresIn }, home, now);
  return { user, token, row };
}

const bearer = (token: string) => new Headers({ Authorization: `Bearer ${token}` });
const resolve = (headers: Headers, { path = "/api/v1/notes", now = T0 + 1000, client = home } = {}) => resolveIdentity({ path, headers, client, now });
const rowOf = (id: number) => db.selectFrom("api_tokens").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
const eventsOf = async (userId: number, type: string) =>
  (await db.selectFrom("activity").selectAll().where("subject_id", "=", userId).where("type", "=", type).orderBy("id").execute()).map((e) => JSON.parse(e.details));

describe("bearerTokenResolver", () => {
  it("gives the token's user, roles and scopes on /api/ paths", async () => {
    const { user, token, row } = await withToken();
    const { identity, setCookies } = await resolve(bearer(token));
    expect(identity).toMatchObject({ credential: "token", user: { id: user.id, email: user.email, roles: ["user"] }, token: { id: row.id, name: "cli", scopes: ["notes:read"] } });
    expect(identity!.user).not.toHaveProperty("password_hash");
    expect(setCookies).toEqual([]);
  });

  it("acts on /api/ only: a token on a page is ignored, a cookie on the API does not count", async () => {
    const { token, user } = await withToken();
    expect((await resolve(bearer(token), { path: "/dashboard" })).identity).toBeNull();
    expect((await resolve(bearer(token), { path: "/apiary" })).identity).toBeNull();

    const session = await createSession(user.id, { remember: false, client: home });
    const cookie = (await serializeSessionCookie(session.id, false)).split(";")[0]!;
    expect((await resolve(new Headers({ Cookie: cookie }), { path: "/api/v1/me", now: Date.now() })).identity).toBeNull();
    expect((await resolve(new Headers({ Cookie: cookie }), { path: "/dashboard", now: Date.now() })).identity?.credential).toBe("session");
    // Both: on the API the token decides, never the cookie.
    const both = new Headers({ Cookie: cookie, Authorization: `Bearer ${token}` });
    expect((await resolve(both)).identity?.credential).toBe("token");
  });

  it.each([
    ["empty", ""],
    ["no prefix", "abc"],
    ["upper-case hex", `rak_${"A".repeat(16)}_${"B".repeat(64)}`],
    ["short secret", `rak_${"a".repeat(16)}_${"b".repeat(63)}`],
    ["unknown", `rak_${"a".repeat(16)}_${"b".repeat(64)}`],
  ])("is anonymous for a %s token", async (_name, token) => {
    expect((await resolve(new Headers({ Authorization: `Bearer ${token}` }))).identity).toBeNull();
  });

  it("is anonymous for a wrong secret with a real lookup id, like an unknown token (only a revoked or expired real token is logged)", async () => {
    const { token, user } = await withToken();
    const wrong = `${token.slice(0, -1)}${token.endsWith("0") ? "1" : "0"}`;
    expect((await resolve(bearer(wrong))).identity).toBeNull();
    expect(await eventsOf(user.id, "api_token_refused")).toEqual([]);
  });

  it("ends at its expiry (injected clock), and `never` does not end", async () => {
    const { token } = await withToken({ expiresIn: "30d" });
    expect((await resolve(bearer(token), { now: T0 + 30 * DAY - 1 })).identity).not.toBeNull();
    expect((await resolve(bearer(token), { now: T0 + 30 * DAY })).identity).toBeNull();
    const forever = await withToken({ expiresIn: "never" });
    expect(forever.row.expires_at).toBeNull();
    expect((await resolve(bearer(forever.token), { now: T0 + 3650 * DAY })).identity).not.toBeNull();
  });

  it("refuses a revoked token at once, logging refused uses at most once per interval", async () => {
    const { token, user, row } = await withToken();
    expect(await revokeApiToken({ userId: user.id, tokenId: row.id, actorId: user.id }, home, T0 + MIN)).toBe(true);
    expect(await revokeApiToken({ userId: user.id, tokenId: row.id, actorId: user.id }, home, T0 + MIN)).toBe(false);
    for (const now of [T0 + 2 * MIN, T0 + 3 * MIN, T0 + 2 * MIN + REFUSAL_LOG_INTERVAL_MS - 1]) {
      expect((await resolve(bearer(token), { now })).identity).toBeNull();
    }
    expect(await eventsOf(user.id, "api_token_refused")).toEqual([{ token: "cli", reason: "revoked" }]);
    await resolve(bearer(token), { now: T0 + 2 * MIN + REFUSAL_LOG_INTERVAL_MS });
    expect(await eventsOf(user.id, "api_token_refused")).toHaveLength(2);
  });

  it("refuses a deactivated user's token, and deactivation revokes it for good", async () => {
    const { token, user, row } = await withToken();
    await updateUser(user.id, { active: false });
    expect((await resolve(bearer(token), { now: Date.now() })).identity).toBeNull();
    expect((await rowOf(row.id)).revoked_at).not.toBeNull();
    await updateUser(user.id, { active: true });
    expect((await resolve(bearer(token), { now: Date.now() })).identity).toBeNull();
  });

  it("writes last use at most once a minute per address, and logs each new address once", async () => {
    const { token, user, row } = await withToken();
    await resolve(bearer(token), { now: T0 + 1000 });
    expect(await rowOf(row.id)).toMatchObject({ last_used_at: T0 + 1000, last_used_ip: home.ip });
    await resolve(bearer(token), { now: T0 + 30_000 });
    expect((await rowOf(row.id)).last_used_at).toBe(T0 + 1000);
    await resolve(bearer(token), { now: T0 + 1000 + MIN });
    expect((await rowOf(row.id)).last_used_at).toBe(T0 + 1000 + MIN);

    const phone = { userAgent: "app", ip: "198.51.100.20" };
    await resolve(bearer(token), { now: T0 + 2 * MIN, client: phone });
    expect(await rowOf(row.id)).toMatchObject({ last_used_at: T0 + 2 * MIN, last_used_ip: phone.ip });
    // Back to a known address: noted as the last use, not logged again.
    await resolve(bearer(token), { now: T0 + 2 * MIN + 1, client: home });
    const entries = await db.selectFrom("activity").select(["type", "ip", "details"]).where("actor_id", "=", user.id).where("type", "=", "api_token_new_address").orderBy("id").execute();
    expect(entries.map((e) => [e.ip, JSON.parse(e.details)])).toEqual([
      [home.ip, { token: "cli", first: true }],
      [phone.ip, { token: "cli", first: false }],
    ]);
  });
});

describe("the token module", () => {
  it("parses only the exact shape and compares in constant time", () => {
    expect(parseApiToken(`rak_${"0123456789abcdef"}_${"f".repeat(64)}`)).toEqual({ lookupId: "0123456789abcdef", secret: "f".repeat(64) });
    expect(parseApiToken(` rak_${"0".repeat(16)}_${"f".repeat(64)}`)).toBeNull();
    expect(parseApiToken(`rak_${"0".repeat(16)}_${"f".repeat(64)}x`)).toBeNull();
    expect(constantTimeEqual("abc", "abc")).toBe(true);
    expect(constantTimeEqual("abc", "abd")).toBe(false);
    expect(constantTimeEqual("abc", "abcd")).toBe(false);
  });

  it("makes a new random token each time", async () => {
    const user = await makeUser();
    const tokens = await Promise.all([1, 2, 3].map(() => createApiToken(user.id, { name: "n", scopes: ["profile:read"], expiresIn: "7d" }, home)));
    expect(new Set(tokens.map((t) => t.token)).size).toBe(3);
    expect(new Set(tokens.map((t) => t.row.lookup_id)).size).toBe(3);
  });

  it("caps live tokens per user", async () => {
    const user = await makeUser();
    for (let i = 0; i < MAX_TOKENS_PER_USER; i++) await createApiToken(user.id, { name: `t${i}`, scopes: ["profile:read"], expiresIn: "7d" }, home);
    await expect(createApiToken(user.id, { name: "one more", scopes: ["profile:read"], expiresIn: "7d" }, home)).rejects.toBeInstanceOf(TooManyTokensError);
  });

  it("writing notes includes reading them, nothing else implies anything", () => {
    expect(scopeAllows(["notes:write"], "notes:read")).toBe(true);
    expect(scopeAllows(["notes:read"], "notes:write")).toBe(false);
    expect(scopeAllows(["notes:write"], "profile:read")).toBe(false);
    expect(scopeAllows([], "profile:read")).toBe(false);
  });

  it("housekeeping removes tokens revoked or expired over 30 days ago, with their addresses", async () => {
    const { row, user, token } = await withToken({ expiresIn: "7d" });
    expect((await resolve(bearer(token), { now: T0 + 1 })).identity).not.toBeNull(); // an address row, to go with it
    await revokeApiToken({ userId: user.id, tokenId: row.id, actorId: user.id }, home, T0);
    const stored = () => db.selectFrom("api_tokens").select("id").where("id", "=", row.id).executeTakeFirst();
    await deleteStaleApiTokens(T0 + 29 * DAY);
    expect(await stored()).toBeDefined();
    expect(await deleteStaleApiTokens(T0 + 31 * DAY)).toBeGreaterThanOrEqual(1);
    expect(await stored()).toBeUndefined();
    expect(await db.selectFrom("api_token_addresses").select("ip").where("token_id", "=", row.id).execute()).toEqual([]);
  });
});
