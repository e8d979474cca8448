import { describe, expect, it } from "vitest";
import {
  createSession,
  deleteExpiredSessions,
  deleteSession,
  deleteSessionsOfUser,
  findActiveSession,
  hashSessionId,
  sessionEndReason,
  TOUCH_INTERVAL_MS,
  touchSession,
} from "~/auth/sessions.server";
import { getConfig } from "~/config.server";
import { db } from "~/db.server";
import { deleteUser, setUserActive } from "~/users/users.server";
import { overrideConfig } from "../helpers/config";
import { makeUser } from "../helpers/users";

const client = { userAgent: "vitest", ip: "127.0.0.1" };
const T0 = 1_800_000_000_000;
const MIN = 60_000;

async function rowOf(id: string) {
  return db.selectFrom("sessions").selectAll().where("id_hash", "=", hashSessionId(id)).executeTakeFirst();
}

describe("server-side sessions", () => {
  it("stores only the hash of a 256-bit random id", async () => {
    const user = await makeUser();
    const { id, session } = await createSession(user.id, { remember: false, client, now: T0 });
    expect(Buffer.from(id, "base64url")).toHaveLength(32);
    expect(session.id_hash).toBe(hashSessionId(id));
    expect(session.id_hash).not.toContain(id);
    expect(await rowOf(id)).toMatchObject({ user_id: user.id, remember: 0, fresh_at: T0, user_agent: "vitest", ip: "127.0.0.1" });
    expect((await findActiveSession(id, T0 + 1))?.user.id).toBe(user.id);
  });

  it("ends a session without remember me at the absolute timeout, even when active", async () => {
    const user = await makeUser();
    const { id, session } = await createSession(user.id, { remember: false, client, now: T0 });
    const { sessionAbsoluteTimeout } = getConfig();
    expect(session.expires_at).toBe(T0 + sessionAbsoluteTimeout);
    expect(sessionEndReason({ ...session, last_seen_at: T0 + sessionAbsoluteTimeout - MIN }, T0 + sessionAbsoluteTimeout)).toBe("expired");
    expect(await findActiveSession(id, T0 + sessionAbsoluteTimeout)).toBeNull();
  });

  it("ends a session without remember me after the idle timeout", async () => {
    const user = await makeUser();
    const { id } = await createSession(user.id, { remember: false, client, now: T0 });
    const { sessionIdleTimeout } = getConfig();
    expect(await findActiveSession(id, T0 + sessionIdleTimeout - 1)).not.toBeNull();
    expect(await findActiveSession(id, T0 + sessionIdleTimeout)).toBeNull();
  });

  it("keeps a session alive while it is used (touch moves last seen)", async () => {
    const user = await makeUser();
    const { id, session } = await createSession(user.id, { remember: false, client, now: T0 });
    const { sessionIdleTimeout } = getConfig();
    expect(await touchSession(session, T0 + sessionIdleTimeout - MIN)).toBe(true);
    expect(await findActiveSession(id, T0 + sessionIdleTimeout + MIN)).not.toBeNull();
  });

  it("writes last seen at most once a minute", async () => {
    const user = await makeUser();
    const { id, session } = await createSession(user.id, { remember: false, client, now: T0 });
    expect(await touchSession(session, T0 + TOUCH_INTERVAL_MS - 1)).toBe(false);
    expect((await rowOf(id))?.last_seen_at).toBe(T0);
    expect(await touchSession(session, T0 + TOUCH_INTERVAL_MS)).toBe(true);
    expect((await rowOf(id))?.last_seen_at).toBe(T0 + TOUCH_INTERVAL_MS);
  });

  it("keeps a remember-me session past the idle and absolute timeouts until its duration ends", async () => {
    const user = await makeUser();
    const { id, session } = await createSession(user.id, { remember: true, client, now: T0 });
    const { rememberCookieDuration, sessionAbsoluteTimeout } = getConfig();
    expect(session.expires_at).toBe(T0 + rememberCookieDuration);
    expect(await findActiveSession(id, T0 + sessionAbsoluteTimeout + MIN)).not.toBeNull();
    expect(await findActiveSession(id, T0 + rememberCookieDuration)).toBeNull();
  });

  it("slides a remember-me expiry only with REMEMBER_COOKIE_REFRESH_EACH_REQUEST", async () => {
    const user = await makeUser();
    const { rememberCookieDuration } = getConfig();
    const fixed = await createSession(user.id, { remember: true, client, now: T0 });
    await touchSession(fixed.session, T0 + 10 * MIN);
    expect((await rowOf(fixed.id))?.expires_at).toBe(T0 + rememberCookieDuration);

    const restore = overrideConfig({ rememberCookieRefreshEachRequest: true });
    try {
      const sliding = await createSession(user.id, { remember: true, client, now: T0 });
      await touchSession(sliding.session, T0 + 10 * MIN);
      expect((await rowOf(sliding.id))?.expires_at).toBe(T0 + 10 * MIN + rememberCookieDuration);
    } finally {
      restore();
    }
  });

  it("revokes one session, or all of a user's but one", async () => {
    const user = await makeUser();
    const a = await createSession(user.id, { remember: false, client, now: T0 });
    const b = await createSession(user.id, { remember: false, client, now: T0 });
    const c = await createSession(user.id, { remember: false, client, now: T0 });
    await deleteSession(a.id);
    expect(await findActiveSession(a.id, T0)).toBeNull();
    expect(await deleteSessionsOfUser(user.id, { exceptPublicId: b.session.public_id })).toBe(1);
    expect(await findActiveSession(b.id, T0)).not.toBeNull();
    expect(await findActiveSession(c.id, T0)).toBeNull();
  });

  it("makes a deactivated or deleted user anonymous at once", async () => {
    const user = await makeUser();
    const { id } = await createSession(user.id, { remember: true, client, now: T0 });
    await setUserActive(user.id, false);
    expect(await findActiveSession(id, T0)).toBeNull();
    expect(await rowOf(id)).toBeUndefined();

    const other = await makeUser();
    const second = await createSession(other.id, { remember: true, client, now: T0 });
    await deleteUser(other.id);
    expect(await findActiveSession(second.id, T0)).toBeNull();
  });

  it("refuses an unknown or forged id", async () => {
    expect(await findActiveSession("not-a-session", T0)).toBeNull();
    expect(await findActiveSession("", T0)).toBeNull();
  });

  it("deletes expired and idle sessions in housekeeping, keeping live ones", async () => {
    const user = await makeUser();
    const { sessionIdleTimeout, sessionAbsoluteTimeout } = getConfig();
    const live = await createSession(user.id, { remember: false, client, now: T0 + sessionAbsoluteTimeout });
    const idle = await createSession(user.id, { remember: false, client, now: T0 + sessionAbsoluteTimeout - sessionIdleTimeout - MIN });
    const expired = await createSession(user.id, { remember: false, client, now: T0 - MIN });
    await deleteExpiredSessions(T0 + sessionAbsoluteTimeout);
    expect(await rowOf(live.id)).toBeDefined();
    expect(await rowOf(idle.id)).toBeUndefined();
    expect(await rowOf(expired.id)).toBeUndefined();
  });
});
