import { describe, expect, it } from "vitest";
import { createSession, deleteExpiredSessions, findActiveSession, hashSessionId, isFresh, rotateSession, sessionEndReason, touchInterval, TOUCH_INTERVAL_MS, touchSession } from "~/auth/sessions.server";
import { getConfig } from "~/config.server";
import { db } from "~/db.server";
import { PENDING_LOGIN_MAX_AGE_MS, redirectToSecondFactor } from "~/auth/two-factor-login.server";
import { runHousekeeping, registerHousekeepingTask } from "~/housekeeping.server";
import { overrideConfig } from "../helpers/config";
import { makeUser } from "../helpers/users";

const client = { userAgent: "vitest", ip: "127.0.0.1" };
const T0 = 1_900_000_000_000;
const MIN = 60_000;

const rowOf = (id: string) => db.selectFrom("sessions").selectAll().where("id_hash", "=", hashSessionId(id)).executeTakeFirst();

describe("lifetime rules (injected clock)", () => {
  it("a remember-me session ignores the idle timeout", async () => {
    const user = await makeUser();
    const { session } = await createSession(user.id, { remember: true, client, now: T0 });
    const { sessionIdleTimeout } = getConfig();
    expect(sessionEndReason(session, T0 + sessionIdleTimeout * 3)).toBeNull();
    expect(sessionEndReason({ ...session, remember: 0 }, T0 + sessionIdleTimeout)).toBe("idle");
  });

  it("FRESH_LOGIN_MAX_AGE: fresh just before the window ends, not at its end; a remember-me session alike", async () => {
    const user = await makeUser();
    const { freshLoginMaxAge } = getConfig();
    for (const remember of [false, true]) {
      const { session } = await createSession(user.id, { remember, client, now: T0 });
      expect(isFresh(session, T0 + freshLoginMaxAge - 1)).toBe(true);
      expect(isFresh(session, T0 + freshLoginMaxAge)).toBe(false);
      expect(isFresh({ ...session, fresh_at: null }, T0)).toBe(false);
    }
  });

  it("reauthentication (rotation) starts a new fresh window and adopts the current client", async () => {
    const user = await makeUser();
    const { id, session } = await createSession(user.id, { remember: true, client, now: T0 });
    const later = T0 + 2 * getConfig().freshLoginMaxAge;
    expect(isFresh(session, later)).toBe(false);
    const newId = (await rotateSession(session, { fresh: true, client: { userAgent: "new browser", ip: "10.1.2.3" }, now: later }))!;
    expect(await rowOf(id)).toBeUndefined();
    const row = (await rowOf(newId))!;
    expect(isFresh(row, later + 1)).toBe(true);
    expect(row).toMatchObject({ user_agent: "new browser", ip: "10.1.2.3", public_id: session.public_id, expires_at: session.expires_at });
  });

  it("last seen is written once a minute, or a tenth of a short idle timeout, so a used session never looks idle", async () => {
    expect(touchInterval()).toBe(TOUCH_INTERVAL_MS);
    const restore = overrideConfig({ sessionIdleTimeout: 2_000 });
    try {
      expect(touchInterval()).toBe(200);
      const user = await makeUser();
      const { id, session } = await createSession(user.id, { remember: false, client, now: T0 });
      let current = session;
      // A request every 500 ms for 5 s keeps a 2 s idle session alive.
      for (let t = T0 + 500; t <= T0 + 5_000; t += 500) {
        expect((await findActiveSession(id, t))?.user.id).toBe(user.id);
        expect(await touchSession(current, t)).toBe(true);
        current = (await rowOf(id))!;
      }
      expect(await findActiveSession(id, T0 + 7_000)).toBeNull();
    } finally {
      restore();
    }
  });

  it("the sliding remember-me expiry is written with last seen, not on every request", async () => {
    const restore = overrideConfig({ rememberCookieRefreshEachRequest: true });
    try {
      const user = await makeUser();
      const { rememberCookieDuration } = getConfig();
      const { id, session } = await createSession(user.id, { remember: true, client, now: T0 });
      expect(await touchSession(session, T0 + 30_000)).toBe(false);
      expect((await rowOf(id))!.expires_at).toBe(T0 + rememberCookieDuration);
      expect(await touchSession(session, T0 + MIN)).toBe(true);
      expect((await rowOf(id))!.expires_at).toBe(T0 + MIN + rememberCookieDuration);
    } finally {
      restore();
    }
  });

  it("every session gets its own public id, unrelated to its id", async () => {
    const user = await makeUser();
    const a = await createSession(user.id, { remember: false, client, now: T0 });
    const b = await createSession(user.id, { remember: false, client, now: T0 });
    expect(a.session.public_id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(a.session.public_id).not.toBe(b.session.public_id);
    expect(a.id).not.toContain(a.session.public_id);
    expect(a.session.id_hash).not.toContain(a.session.public_id);
  });
});

describe("housekeeping", () => {
  it("deletes a large backlog of expired sessions in batches, keeping live ones", async () => {
    const user = await makeUser();
    const now = T0 + 100 * 86_400_000;
    const live = await createSession(user.id, { remember: true, client, now });
    const rows = Array.from({ length: 1_234 }, (_, i) => ({
      id_hash: `expired-${i}-${Math.random()}`,
      user_id: user.id,
      created_at: T0,
      last_seen_at: T0,
      expires_at: T0 + 1,
      remember: i % 2,
      fresh_at: null,
      user_agent: "",
      ip: "",
      public_id: `p-${i}-${Math.random()}`,
    }));
    for (let i = 0; i < rows.length; i += 200) await db.insertInto("sessions").values(rows.slice(i, i + 200)).execute();
    expect(await deleteExpiredSessions(now, { batchSize: 100 })).toBeGreaterThanOrEqual(1_234);
    const left = await db.selectFrom("sessions").select("id_hash").where("user_id", "=", user.id).execute();
    expect(left.map((r) => r.id_hash)).toEqual([live.session.id_hash]);
  });

  it("runs every registered task; a failing task does not stop the others", async () => {
    const user = await makeUser();
    const expired = await createSession(user.id, { remember: false, client, now: T0 });
    const seen: number[] = [];
    registerHousekeepingTask("test: broken", async () => {
      throw new Error("boom");
    });
    registerHousekeepingTask("test: counter", async (now) => {
      seen.push(now);
      return 7;
    });
    const now = T0 + getConfig().sessionAbsoluteTimeout + 1;
    const removed = (await runHousekeeping(now))!;
    expect(removed["test: counter"]).toBe(7);
    expect(removed["expired sessions"]).toBeGreaterThanOrEqual(1);
    expect(removed).not.toHaveProperty("test: broken");
    expect(seen).toEqual([now]);
    expect(await rowOf(expired.id)).toBeUndefined();
  });

  it("removes expired pending two-factor logins, and only those", async () => {
    const [gone, kept] = [await makeUser(), await makeUser()];
    await redirectToSecondFactor({ userId: gone.id, remember: false, redirectTo: null }, T0);
    await redirectToSecondFactor({ userId: kept.id, remember: false, redirectTo: null }, T0 + PENDING_LOGIN_MAX_AGE_MS);
    const removed = (await runHousekeeping(T0 + PENDING_LOGIN_MAX_AGE_MS + 1))!;
    expect(removed["expired pending logins"]).toBeGreaterThanOrEqual(1);
    const left = await db.selectFrom("pending_logins").select("user_id").where("user_id", "in", [gone.id, kept.id]).execute();
    expect(left).toEqual([{ user_id: kept.id }]);
  });
});
