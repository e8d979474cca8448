import { describe, expect, it } from "vitest";
import { applySessionProtection, networkOf, sameClient } from "~/auth/session-protection.server";
import { type ClientInfo, createSession, findActiveSession, hashSessionId, isFresh } from "~/auth/sessions.server";
import { db } from "~/db.server";
import { overrideConfig } from "../helpers/config";
import { makeUser } from "../helpers/users";

const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const CHROME = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
const home = { userAgent: FIREFOX, ip: "203.0.113.10" };

async function sessionFrom(client = home) {
  const user = await makeUser();
  const { id } = await createSession(user.id, { remember: false, client });
  return { user, id };
}

/** Session protection for a request carrying session `id` from `client`, as the identity pipeline runs it; null: no live session. */
async function protectSession(id: string, client: ClientInfo, now = Date.now()) {
  const active = await findActiveSession(id, now);
  return active ? { outcome: await applySessionProtection(active.session, client, now) } : null;
}

function activityOf(userId: number) {
  return db.selectFrom("activity").selectAll().where("subject_id", "=", userId).execute();
}

describe("networkOf", () => {
  it.each([
    ["203.0.113.10", "203.0.113.0/24"],
    ["203.0.113.250", "203.0.113.0/24"],
    ["::ffff:203.0.113.10", "203.0.113.0/24"],
    ["2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"],
    ["2001:db8:1:2::1", "2001:db8:1:2::/64"],
    ["2001:0db8:0001:0002:0:0:0:9", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["", ""],
  ])("%s is in %s", (address, network) => {
    expect(networkOf(address)).toBe(network);
  });
});

describe("sameClient", () => {
  it("accepts the same browser from a neighbouring address of the same network", () => {
    expect(sameClient(home, { userAgent: FIREFOX, ip: "203.0.113.77" })).toBe(true);
    expect(sameClient({ userAgent: FIREFOX, ip: "2001:db8:1:2::1" }, { userAgent: FIREFOX, ip: "2001:db8:1:2:9:9:9:9" })).toBe(true);
  });

  it("refuses another browser, or another network", () => {
    expect(sameClient(home, { userAgent: CHROME, ip: home.ip })).toBe(false);
    expect(sameClient(home, { userAgent: FIREFOX, ip: "203.0.114.10" })).toBe(false);
    expect(sameClient({ userAgent: FIREFOX, ip: "2001:db8:1:2::1" }, { userAgent: FIREFOX, ip: "2001:db8:1:3::1" })).toBe(false);
  });
});

describe("applySessionProtection", () => {
  it("changes nothing for the same client", async () => {
    const { id } = await sessionFrom();
    const result = await protectSession(id, { ...home, ip: "203.0.113.11" });
    expect(result?.outcome).toBe("ok");
    expect(isFresh((await findActiveSession(id))!.session)).toBe(true);
  });

  it("basic: a changed client makes the session not fresh, keeps it, and logs it once", async () => {
    const restore = overrideConfig({ sessionProtection: "basic" });
    try {
      const { id, user } = await sessionFrom();
      const thief = { userAgent: CHROME, ip: "198.51.100.7" };
      expect((await protectSession(id, thief))?.outcome).toBe("made-stale");
      const active = await findActiveSession(id);
      expect(active?.user.id).toBe(user.id);
      expect(isFresh(active!.session)).toBe(false);
      // Already stale: no more writes for the following requests.
      expect((await protectSession(id, thief))?.outcome).toBe("ok");
      const events = await activityOf(user.id);
      expect(events.map((e) => e.type)).toEqual(["session_protection_triggered"]);
      expect(events[0]).toMatchObject({ actor_id: null, ip: "198.51.100.7", user_agent: CHROME });
      expect(JSON.parse(events[0]!.details)).toEqual({ mode: "basic", ended: false });
    } finally {
      restore();
    }
  });

  it("strong: a changed client ends the session", async () => {
    const restore = overrideConfig({ sessionProtection: "strong" });
    try {
      const { id, user } = await sessionFrom();
      expect((await protectSession(id, { userAgent: FIREFOX, ip: "198.51.100.7" }))?.outcome).toBe("ended");
      expect(await findActiveSession(id)).toBeNull();
      expect(await db.selectFrom("sessions").select("id_hash").where("id_hash", "=", hashSessionId(id)).executeTakeFirst()).toBeUndefined();
      expect(JSON.parse((await activityOf(user.id))[0]!.details)).toEqual({ mode: "strong", ended: true });
    } finally {
      restore();
    }
  });

  it("off: a changed client changes nothing", async () => {
    const restore = overrideConfig({ sessionProtection: "off" });
    try {
      const { id } = await sessionFrom();
      expect((await protectSession(id, { userAgent: CHROME, ip: "198.51.100.7" }))?.outcome).toBe("ok");
      expect(isFresh((await findActiveSession(id))!.session)).toBe(true);
    } finally {
      restore();
    }
  });

  it("returns null for an unknown or ended session, at the injected time", async () => {
    const { id } = await sessionFrom();
    expect(await protectSession("no-such-session", home)).toBeNull();
    const { sessionAbsoluteTimeout } = (await import("~/config.server")).getConfig();
    expect(await protectSession(id, home, Date.now() + sessionAbsoluteTimeout + 1)).toBeNull();
  });
});
