import { describe, expect, it } from "vitest";
import { resolveIdentity } from "~/auth/identity.server";
import { serializeSessionCookie } from "~/auth/session-cookie.server";
import { createSession, hashSessionId } from "~/auth/sessions.server";
import { db } from "~/db.server";
import { updateUser } from "~/users/users.server";
import { overrideConfig } from "../helpers/config";
import { makeUser } from "../helpers/users";

const home = { userAgent: "vitest", ip: "127.0.0.1" };
const MIN = 60_000;

async function signedIn({ remember = false, roles }: { remember?: boolean; roles?: string[] } = {}) {
  const user = await makeUser({ roles });
  const created = await createSession(user.id, { remember, client: home });
  const cookie = (await serializeSessionCookie(created.id, remember)).split(";")[0]!;
  return { user, ...created, headers: new Headers({ Cookie: cookie }) };
}

const resolve = (headers: Headers, client = home, now?: number) => resolveIdentity({ path: "/dashboard", headers, client, now });
const rowOf = (id: string) => db.selectFrom("sessions").selectAll().where("id_hash", "=", hashSessionId(id)).executeTakeFirstOrThrow();

describe("resolveIdentity: the session-cookie resolver", () => {
  it("is anonymous without a cookie, and sets no cookie", async () => {
    expect(await resolve(new Headers())).toEqual({ identity: null, setCookies: [] });
  });

  it("gives the user with roles and permissions, the session, and which credential proved it", async () => {
    const { user, session, headers } = await signedIn({ roles: ["admin"] });
    const { identity, setCookies } = await resolve(headers);
    expect(identity).toMatchObject({ credential: "session", user: { id: user.id, email: user.email, roles: ["admin"] }, session: { id_hash: session.id_hash } });
    expect(identity!.user.permissions).toContain("users:write");
    expect(identity!.user).not.toHaveProperty("password_hash");
    expect(setCookies).toEqual([]);
  });

  it.each([
    ["garbage", "__session=garbage"],
    ["unsigned JSON", `__session=${encodeURIComponent(btoa(JSON.stringify({ sid: "x" })))}`],
    ["binary", "__session=%00%FF%FE"],
  ])("treats a %s cookie as anonymous", async (_name, cookie) => {
    expect((await resolve(new Headers({ Cookie: cookie }))).identity).toBeNull();
  });

  it("treats a deactivated user's or an ended session's cookie as anonymous at once", async () => {
    const deactivated = await signedIn();
    await updateUser(deactivated.user.id, { active: false });
    expect((await resolve(deactivated.headers)).identity).toBeNull();

    const ended = await signedIn();
    await db.deleteFrom("sessions").where("id_hash", "=", ended.session.id_hash).execute();
    expect((await resolve(ended.headers)).identity).toBeNull();
  });

  it("touches last_seen_at at most once a minute", async () => {
    const { id, session, headers } = await signedIn();
    const t = session.last_seen_at;
    await resolve(headers, home, t + 10_000);
    expect((await rowOf(id)).last_seen_at).toBe(t);
    await resolve(headers, home, t + 2 * MIN);
    expect((await rowOf(id)).last_seen_at).toBe(t + 2 * MIN);
  });

  it("slides a remember-me cookie only with REMEMBER_COOKIE_REFRESH_EACH_REQUEST", async () => {
    const { headers } = await signedIn({ remember: true });
    expect((await resolve(headers)).setCookies).toEqual([]);
    const restore = overrideConfig({ rememberCookieRefreshEachRequest: true });
    try {
      const { setCookies } = await resolve(headers);
      expect(setCookies).toHaveLength(1);
      expect(setCookies[0]).toMatch(/^__session=.+Max-Age=2592000/);
    } finally {
      restore();
    }
  });

  it("basic protection: a changed client is still signed in, no longer fresh", async () => {
    const { headers } = await signedIn();
    const { identity } = await resolve(headers, { userAgent: "another browser", ip: "198.51.100.7" });
    expect(identity?.credential === "session" && identity.session.fresh_at).toBeNull();
  });

  it("strong protection: a changed client is anonymous and its cookie is cleared", async () => {
    const restore = overrideConfig({ sessionProtection: "strong" });
    try {
      const { headers } = await signedIn();
      const { identity, setCookies } = await resolve(headers, { userAgent: "another browser", ip: "198.51.100.7" });
      expect(identity).toBeNull();
      expect(setCookies).toHaveLength(1);
      expect(setCookies[0]).toMatch(/^__session=;.*Expires=Thu, 01 Jan 1970/);
    } finally {
      restore();
    }
  });
});
