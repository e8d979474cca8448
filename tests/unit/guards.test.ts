import { describe, expect, it } from "vitest";
import { getUser, requireAnonymous, requireUser } from "~/auth/guards.server";
import { completeSignIn, loginUser, logoutUser } from "~/auth/login.server";
import { readSessionId, serializeSessionCookie } from "~/auth/session-cookie.server";
import { createSession, findActiveSession } from "~/auth/sessions.server";
import { beginTwoFactorSetup, confirmTwoFactorSetup } from "~/auth/two-factor.server";
import { readPendingLogin } from "~/auth/two-factor-login.server";
import { generate } from "otplib";
import { db } from "~/db.server";
import { takeFlash } from "~/flash.server";
import { overrideConfig } from "../helpers/config";
import { makeUser } from "../helpers/users";
import { guardArgs } from "../helpers/identity";
import { thrown } from "../helpers/responses";
import { i18nFor } from "~/i18n/i18n.server";

const context = { clientIp: "127.0.0.1", identity: null };

/** Turns Set-Cookie values into a Cookie header, as a browser would. */
function cookieHeader(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

function requestWith(cookie: string | null, url = "http://localhost/dashboard/notes?tab=1") {
  return new Request(url, { headers: cookie ? { Cookie: cookie } : {} });
}

describe("requireUser", () => {
  it("sends an anonymous request to /login with redirectTo and the LOGIN_MESSAGE flash", async () => {
    const response = await thrown(requireUser(await guardArgs(requestWith(null))));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login?redirectTo=%2Fdashboard%2Fnotes%3Ftab%3D1");
    const { flash } = await takeFlash(requestWith(cookieHeader(response)));
    expect(flash).toEqual({ category: "info", message: "Please log in to access this page." });
  });

  it("uses LOGIN_MESSAGE_CATEGORY, and sends no flash when LOGIN_MESSAGE is empty", async () => {
    let restore = overrideConfig({ loginMessage: "Sign in first.", loginMessageCategory: "warning" });
    try {
      const response = await thrown(requireUser(await guardArgs(requestWith(null))));
      expect((await takeFlash(requestWith(cookieHeader(response)))).flash).toEqual({ category: "warning", message: "Sign in first." });
    } finally {
      restore();
    }
    restore = overrideConfig({ loginMessage: "" });
    try {
      const response = await thrown(requireUser(await guardArgs(requestWith(null))));
      expect(response.headers.getSetCookie()).toEqual([]);
    } finally {
      restore();
    }
  });

  it("returns the user for a valid session cookie, without the password hash", async () => {
    const user = await makeUser({ name: "Guarded" });
    const { id } = await createSession(user.id, { remember: false, client: { userAgent: "", ip: "" } });
    const cookie = (await serializeSessionCookie(id, false)).split(";")[0]!;
    const current = await requireUser(await guardArgs(requestWith(cookie)));
    expect(current).toMatchObject({ id: user.id, name: "Guarded" });
    expect(current).not.toHaveProperty("password_hash");
  });

  it.each([
    ["garbage", "__session=garbage"],
    ["truncated signature", "__session=eyJzaWQiOiJ4In0%3D.abc"],
    ["unsigned JSON", `__session=${encodeURIComponent(btoa(JSON.stringify({ sid: "x" })))}`],
    ["empty", "__session="],
    ["binary", "__session=%00%FF%FE"],
  ])("treats a %s cookie as anonymous", async (_name, cookie) => {
    expect(await getUser(await guardArgs(requestWith(cookie)))).toBeNull();
    const response = await thrown(requireUser(await guardArgs(requestWith(cookie))));
    expect(response.status).toBe(302);
  });

  it("refuses a cookie signed with another secret", async () => {
    const user = await makeUser();
    const { id } = await createSession(user.id, { remember: false, client: { userAgent: "", ip: "" } });
    const restore = overrideConfig({ sessionSecrets: ["another-secret-another-secret-another"] });
    let forged: string;
    try {
      // The storage caches its cookie; a fresh module graph is not needed because the
      // signature check is what matters: tamper with the signed value instead.
      forged = (await serializeSessionCookie(id, false)).split(";")[0]!.replace(/\.[^.]+$/, ".AAAA");
    } finally {
      restore();
    }
    expect(await readSessionId(requestWith(forged))).toBeNull();
  });
});

describe("requireAnonymous", () => {
  it("sends a signed-in user to the dashboard and lets anonymous visitors through", async () => {
    const user = await makeUser();
    const { id } = await createSession(user.id, { remember: false, client: { userAgent: "", ip: "" } });
    const cookie = (await serializeSessionCookie(id, false)).split(";")[0]!;
    const response = await thrown(requireAnonymous(await guardArgs(requestWith(cookie, "http://localhost/login"))));
    expect(response.headers.get("Location")).toBe("/dashboard");
    await expect(requireAnonymous(await guardArgs(requestWith(null, "http://localhost/login")))).resolves.toBeUndefined();
  });
});

describe("loginUser / logoutUser", () => {
  it("issues a new session id at login and kills the pre-login one", async () => {
    const user = await makeUser();
    const before = await createSession(user.id, { remember: false, client: { userAgent: "", ip: "" } });
    const oldCookie = (await serializeSessionCookie(before.id, false)).split(";")[0]!;
    const response = await loginUser(requestWith(oldCookie, "http://localhost/login"), context, {
      userId: user.id,
      remember: false,
      redirectTo: "/dashboard/notes",
    });
    expect(response.headers.get("Location")).toBe("/dashboard/notes");
    const newId = await readSessionId(requestWith(cookieHeader(response)));
    expect(newId).not.toBe(before.id);
    expect(await findActiveSession(before.id)).toBeNull();
    expect(await findActiveSession(newId!)).not.toBeNull();
  });

  it("sets a browser-session cookie without remember me, Expires and Max-Age with it", async () => {
    const user = await makeUser();
    const plain = await loginUser(requestWith(null), context, { userId: user.id, remember: false });
    const plainCookie = plain.headers.getSetCookie()[0]!;
    expect(plainCookie).not.toMatch(/Expires=|Max-Age=/i);
    expect(plainCookie).toMatch(/HttpOnly/);
    expect(plainCookie).toMatch(/SameSite=Lax/);

    const remembered = await loginUser(requestWith(null), context, { userId: user.id, remember: true });
    const cookie = remembered.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/Max-Age=2592000/);
    const expires = Date.parse(/Expires=([^;]+)/.exec(cookie)![1]!);
    expect(Math.abs(expires - (Date.now() + 2_592_000_000))).toBeLessThan(5_000);
  });

  it("records the sign-in once, with how it was made (Flask-Login's user_logged_in); a registration's login records none", async () => {
    const user = await makeUser();
    const logins = () =>
      db.selectFrom("activity").select(["details", "ip"]).where("actor_id", "=", user.id).where("type", "=", "login_succeeded").execute();
    await loginUser(requestWith(null), context, { userId: user.id, remember: true, method: "passkey" });
    expect((await logins()).map((row) => [JSON.parse(row.details), row.ip])).toEqual([[{ remember: true, method: "passkey" }, "127.0.0.1"]]);
    await loginUser(requestWith(null), context, { userId: user.id, remember: false, recordLogin: false });
    expect(await logins()).toHaveLength(1);
  });

  it("falls back to the dashboard for an off-site redirectTo", async () => {
    const user = await makeUser();
    const response = await loginUser(requestWith(null), context, { userId: user.id, remember: false, redirectTo: "//evil.example" });
    expect(response.headers.get("Location")).toBe("/dashboard");
  });

  it("deletes the server-side session at logout, so a replayed cookie is anonymous", async () => {
    const user = await makeUser();
    const login = await loginUser(requestWith(null), context, { userId: user.id, remember: true });
    const cookie = cookieHeader(login);
    expect(await getUser(await guardArgs(requestWith(cookie)))).not.toBeNull();
    const signedIn = { ...context, identity: (await guardArgs(requestWith(cookie))).context.identity };
    const logout = await logoutUser(requestWith(cookie), signedIn, i18nFor("en").t);
    expect(logout.headers.getSetCookie().some((c) => /^__session=;/.test(c) && /Expires=Thu, 01 Jan 1970/.test(c))).toBe(true);
    expect(await getUser(await guardArgs(requestWith(cookie)))).toBeNull();
    // Recorded once, as Flask-Login's user_logged_out.
    const logouts = await db.selectFrom("activity").select("id").where("actor_id", "=", user.id).where("type", "=", "logout").execute();
    expect(logouts).toHaveLength(1);
  });
});

describe("completeSignIn", () => {
  async function userWithTwoFactor() {
    const user = await makeUser();
    const secret = (await beginTwoFactorSetup(user.id))!;
    expect(await confirmTwoFactorSetup(user.id, await generate({ secret }))).not.toBeNull();
    return user;
  }

  /** Where a first factor leads: the code step (with the pending login it stored) or a session. */
  async function after(method: "password" | "passkey" | "oidc:test", userId: number) {
    const response = await completeSignIn(requestWith(null, "http://localhost/login"), context, { userId, remember: true, redirectTo: "/dashboard/notes", method });
    const pending = await readPendingLogin(requestWith(cookieHeader(response)));
    const session = await readSessionId(requestWith(cookieHeader(response)));
    if (response.headers.get("Location") === "/login/two-factor") {
      return { step: "code", pending: pending && { method: pending.pending.method, remember: pending.pending.remember, redirectTo: pending.pending.redirectTo } };
    }
    return { step: "session", location: response.headers.get("Location"), signedIn: session !== null && (await findActiveSession(session)) !== null };
  }

  it("asks a user with two-factor on for their code after a password, and keeps where the sign-in was going", async () => {
    const user = await userWithTwoFactor();
    expect(await after("password", user.id)).toEqual({ step: "code", pending: { method: "password", remember: true, redirectTo: "/dashboard/notes" } });
    const plain = await makeUser();
    expect(await after("password", plain.id)).toEqual({ step: "session", location: "/dashboard/notes", signedIn: true });
  });

  it("signs a passkey in at once: user verification is the second factor", async () => {
    const user = await userWithTwoFactor();
    expect(await after("passkey", user.id)).toEqual({ step: "session", location: "/dashboard/notes", signedIn: true });
  });

  it("asks for the code after a provider with OIDC_REQUIRE_TOTP (the default), and not without it", async () => {
    const user = await userWithTwoFactor();
    expect(await after("oidc:test", user.id)).toEqual({ step: "code", pending: { method: "oidc:test", remember: true, redirectTo: "/dashboard/notes" } });
    const restore = overrideConfig({ oidcRequireTotp: false });
    try {
      expect(await after("oidc:test", user.id)).toEqual({ step: "session", location: "/dashboard/notes", signedIn: true });
      expect(await after("password", user.id)).toMatchObject({ step: "code" });
    } finally {
      restore();
    }
  });
});
