import { describe, expect, it } from "vitest";
import { resolveIdentity } from "~/auth/identity.server";
import { serializeSessionCookie } from "~/auth/session-cookie.server";
import {
  createSession,
  deleteSession,
  endRotationGrace,
  findActiveSession,
  findRotatedSession,
  newSessionId,
  ROTATION_GRACE_MS,
  rotateSession,
} from "~/auth/sessions.server";
import { db } from "~/db.server";
import { makeUser } from "../helpers/users";

const client = { userAgent: "vitest", ip: "127.0.0.1" };

async function rotated({ presented = true } = {}) {
  const user = await makeUser();
  const { id, session } = await createSession(user.id, { remember: true, client });
  const now = Date.now();
  const newId = (await rotateSession(session, { fresh: true, presentedId: presented ? id : undefined, now }))!;
  return { user, oldId: id, newId, now, session };
}

async function identityFor(id: string) {
  const cookie = (await serializeSessionCookie(id, true)).split(";")[0]!;
  return resolveIdentity({ path: "/dashboard", headers: new Headers({ Cookie: cookie }), client });
}

describe("session rotation grace", () => {
  it("the previous id is no live session, but leads to the new one, until the grace ends", async () => {
    const { user, oldId, newId, now } = await rotated();
    expect(await findActiveSession(oldId, now + 1)).toBeNull();
    const during = await findRotatedSession(oldId, now + ROTATION_GRACE_MS - 1);
    expect(during?.id).toBe(newId);
    expect(during?.user.id).toBe(user.id);
    expect(await findRotatedSession(oldId, now + ROTATION_GRACE_MS)).toBeNull();
  });

  it("ends as soon as the new id is used", async () => {
    const { oldId, newId } = await rotated();
    const active = (await findActiveSession(newId))!;
    await endRotationGrace(active.session);
    expect(await findRotatedSession(oldId)).toBeNull();
    expect(await findActiveSession(newId)).not.toBeNull();
  });

  it("is given only for the id the request came with, and never opens anything else", async () => {
    const { oldId } = await rotated({ presented: false });
    expect(await findRotatedSession(oldId)).toBeNull();
    const user = await makeUser();
    const { session } = await createSession(user.id, { remember: false, client });
    const stranger = newSessionId();
    await rotateSession(session, { fresh: true, presentedId: stranger });
    expect(await findRotatedSession(stranger)).toBeNull();
    expect(await findRotatedSession(newSessionId())).toBeNull();
  });

  it("a rotation from a stale read (another request rotated first) answers with that request's id; null once the session ended", async () => {
    const { oldId, newId, session } = await rotated();
    expect(await rotateSession(session, { fresh: true, presentedId: oldId })).toBe(newId);
    const ended = await rotated();
    await db.deleteFrom("sessions").where("public_id", "=", ended.session.public_id).execute();
    expect(await rotateSession(ended.session, { fresh: true, presentedId: ended.oldId })).toBeNull();
  });

  it("no second rotation while the grace is open: the id stays, made fresh again, and the previous id still leads to it", async () => {
    const { oldId, newId, now, session } = await rotated();
    await db.updateTable("sessions").set({ fresh_at: null }).where("public_id", "=", session.public_id).execute();
    const live = (await findActiveSession(newId, now + 1))!;
    expect(await rotateSession(live.session, { fresh: true, presentedId: newId, now: now + 2 })).toBe(newId);
    expect((await findActiveSession(newId, now + 3))!.session.fresh_at).toBe(now + 2);
    expect((await findRotatedSession(oldId, now + 3))?.id).toBe(newId);
    // Once the grace is over (here: its time), a rotation makes a new id again.
    const later = now + ROTATION_GRACE_MS;
    const again = await rotateSession((await findActiveSession(newId, later))!.session, { fresh: true, presentedId: newId, now: later });
    expect(again).not.toBe(newId);
    expect(await findActiveSession(again!, later + 1)).not.toBeNull();
  });

  it("only the holder of the previous id can open the new one: the row stores hashes and a sealed value", async () => {
    const { user, oldId, newId } = await rotated();
    const row = await db.selectFrom("sessions").selectAll().where("user_id", "=", user.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(newId);
    expect(JSON.stringify(row)).not.toContain(oldId);
    expect(row.next_id_sealed).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("identity: the previous id signs the request in and hands the browser the new cookie; the new id ends the grace", async () => {
    const { user, oldId, newId } = await rotated();
    const viaOld = await identityFor(oldId);
    expect(viaOld.identity?.user.id).toBe(user.id);
    expect(viaOld.setCookies).toHaveLength(1);
    expect(viaOld.setCookies[0]).toBe(await serializeSessionCookie(newId, true));
    // Twice in a row (two tabs): the same new id, not a third one.
    expect((await identityFor(oldId)).setCookies[0]).toBe(viaOld.setCookies[0]);

    const viaNew = await identityFor(newId);
    expect(viaNew.identity?.user.id).toBe(user.id);
    expect(viaNew.setCookies).toEqual([]);
    expect((await identityFor(oldId)).identity).toBeNull();
  });

  it("a logout with the previous id ends the session", async () => {
    const { oldId, newId } = await rotated();
    await deleteSession(oldId);
    expect(await findActiveSession(newId)).toBeNull();
  });
});
