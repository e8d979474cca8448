import { describe, expect, it } from "vitest";
import { requireFreshLogin } from "~/auth/guards.server";
import { serializeSessionCookie } from "~/auth/session-cookie.server";
import { createSession, findActiveSession, isFresh, rotateSession } from "~/auth/sessions.server";
import { getConfig } from "~/config.server";
import { db } from "~/db.server";
import { takeFlash } from "~/flash.server";
import { guardArgs } from "../helpers/identity";
import { makeUser } from "../helpers/users";

const client = { userAgent: "vitest", ip: "127.0.0.1" };

async function signedInRequest(freshAgoMs: number | null, url = "http://localhost/settings/password?x=1") {
  const user = await makeUser();
  const { id, session } = await createSession(user.id, { remember: true, client });
  const fresh_at = freshAgoMs === null ? null : Date.now() - freshAgoMs;
  await db.updateTable("sessions").set({ fresh_at }).where("id_hash", "=", session.id_hash).execute();
  const cookie = (await serializeSessionCookie(id, true)).split(";")[0]!;
  return { request: new Request(url, { headers: { Cookie: cookie } }), user, id };
}

describe("requireFreshLogin", () => {
  it("lets a session through within FRESH_LOGIN_MAX_AGE of the password", async () => {
    const { request, user } = await signedInRequest(getConfig().freshLoginMaxAge - 5_000);
    expect((await requireFreshLogin(await guardArgs(request, client))).user.id).toBe(user.id);
  });

  it.each([
    ["older than FRESH_LOGIN_MAX_AGE", () => getConfig().freshLoginMaxAge + 1],
    ["never fresh (remember-me restored)", () => null],
  ])("sends a session %s to /reauthenticate with the NEEDS_REFRESH_MESSAGE flash", async (_name, ago) => {
    const { request } = await signedInRequest(ago());
    let response: Response | undefined;
    try {
      await requireFreshLogin(await guardArgs(request, client));
    } catch (error) {
      response = error as Response;
    }
    expect(response?.status).toBe(302);
    expect(response?.headers.get("Location")).toBe("/reauthenticate?redirectTo=%2Fsettings%2Fpassword%3Fx%3D1");
    const cookie = response!.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const { flash } = await takeFlash(new Request("http://localhost/", { headers: { Cookie: cookie } }));
    expect(flash).toEqual({ category: "info", message: "Please reauthenticate to access this page." });
  });

  it("sends an anonymous request to log in, not to reauthenticate", async () => {
    await expect(requireFreshLogin(await guardArgs(new Request("http://localhost/settings/password")))).rejects.toSatisfy(
      (r: Response) => r.headers.get("Location") === "/login?redirectTo=%2Fsettings%2Fpassword",
    );
  });
});

describe("rotateSession", () => {
  it("gives the session a new id, kills the old one and marks it fresh", async () => {
    const { id } = await signedInRequest(null);
    const before = (await findActiveSession(id))!;
    expect(isFresh(before.session)).toBe(false);
    const newId = (await rotateSession(before.session, { fresh: true }))!;
    expect(await findActiveSession(id)).toBeNull();
    const after = (await findActiveSession(newId))!;
    expect(isFresh(after.session)).toBe(true);
    expect(after.session.remember).toBe(1);
    expect(after.session.expires_at).toBe(before.session.expires_at);
  });
});
