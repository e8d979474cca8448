import { describe, expect, it } from "vitest";
import { describeUserAgent, endAllSessionsOfUser, findDevice, listDevices, revokeDevice, revokeOtherDevices } from "~/auth/devices.server";
import { createSession, findActiveSession } from "~/auth/sessions.server";
import { getConfig } from "~/config.server";
import { db } from "~/db.server";
import { makeUser } from "../helpers/users";

const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const SAFARI_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
const origin = { ip: "192.0.2.1", userAgent: "vitest" };
const T0 = 1_900_000_000_000;

describe("describeUserAgent", () => {
  it.each([
    [FIREFOX, "Firefox 128 on Linux"],
    [SAFARI_IPHONE, "Mobile Safari 17 on iOS"],
    ["curl/8.5.0", "curl/8.5.0"],
    ["", "Unknown browser"],
  ])("%s → %s", (ua, description) => {
    expect(describeUserAgent(ua).trim()).toBe(description.trim());
  });
});

describe("devices", () => {
  it("lists a user's live sessions only, the current one first and marked", async () => {
    const user = await makeUser();
    const other = await makeUser();
    const phone = await createSession(user.id, { remember: true, client: { userAgent: SAFARI_IPHONE, ip: "198.51.100.2" }, now: T0 });
    const laptop = await createSession(user.id, { remember: false, client: { userAgent: FIREFOX, ip: "203.0.113.9" }, now: T0 + 1000 });
    await createSession(user.id, { remember: false, client: { userAgent: FIREFOX, ip: "203.0.113.9" }, now: T0 - getConfig().sessionAbsoluteTimeout });
    await createSession(other.id, { remember: false, client: { userAgent: FIREFOX, ip: "203.0.113.1" }, now: T0 });

    const devices = await listDevices(user.id, laptop.session, getConfig().freshLoginMaxAge, T0 + 2000);
    expect(devices.map((d) => [d.description, d.current, d.remember])).toEqual([
      ["Firefox 128 on Linux", true, false],
      ["Mobile Safari 17 on iOS", false, true],
    ]);
    expect(devices[0]!.freshUntil).toBe(T0 + 1000 + getConfig().freshLoginMaxAge);
    expect(devices[1]!.freshUntil).toBeNull();
    expect(devices[1]).toMatchObject({ publicId: phone.session.public_id, ip: "198.51.100.2", createdAt: T0 });
    expect(JSON.stringify(devices)).not.toContain(phone.session.id_hash);
  });

  it("finds a session by public id only for its owner", async () => {
    const owner = await makeUser();
    const stranger = await makeUser();
    const { session } = await createSession(owner.id, { remember: false, client: origin });
    expect((await findDevice(owner.id, session.public_id))?.id_hash).toBe(session.id_hash);
    expect(await findDevice(stranger.id, session.public_id)).toBeUndefined();
    expect(await findDevice(owner.id, "no-such-id")).toBeUndefined();
  });

  it("revokes one session, all others, or (admin) all, and records each", async () => {
    const user = await makeUser();
    const admin = await makeUser();
    const current = await createSession(user.id, { remember: false, client: origin });
    const a = await createSession(user.id, { remember: false, client: { userAgent: FIREFOX, ip: "203.0.113.9" } });
    const b = await createSession(user.id, { remember: true, client: origin });
    const c = await createSession(user.id, { remember: true, client: origin });

    await revokeDevice(user.id, a.session, origin);
    expect(await findActiveSession(a.id)).toBeNull();
    expect(await revokeOtherDevices(user.id, current.session, origin)).toBe(2);
    expect(await findActiveSession(b.id)).toBeNull();
    expect(await findActiveSession(c.id)).toBeNull();
    expect(await findActiveSession(current.id)).not.toBeNull();
    expect(await endAllSessionsOfUser({ actorId: admin.id, userId: user.id }, origin)).toEqual({ sessions: 1, tokens: 0 });
    expect(await findActiveSession(current.id)).toBeNull();

    const events = await db.selectFrom("activity").selectAll().where("subject_id", "=", user.id).orderBy("id").execute();
    expect(events.map((e) => [e.type, e.actor_id, JSON.parse(e.details)])).toEqual([
      ["session_revoked", user.id, { device: "Firefox 128 on Linux", ip: "203.0.113.9" }],
      ["sessions_revoked", user.id, { count: 2 }],
      ["sessions_revoked", admin.id, { count: 1, all: true, tokensRevoked: 0 }],
    ]);
  });
});
