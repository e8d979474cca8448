import { describe, expect, it } from "vitest";
import { getConfig } from "~/config.server";
import { appCookie, appCookieSessionStorage } from "~/utils/cookies.server";

describe("the cookie factory", () => {
  it("names, scopes and protects every signed cookie the same way", async () => {
    const { sessionCookieName } = getConfig();
    const header = await appCookie("_test", { path: "/login", maxAgeSeconds: 900 }).serialize("value");
    expect(header.startsWith(`${sessionCookieName}_test=`)).toBe(true);
    for (const attribute of ["Path=/login", "Max-Age=900", "HttpOnly", "SameSite=Lax"]) expect(header).toContain(attribute);
    expect(header.includes("Secure")).toBe(getConfig().sessionCookieSecure);
    // Without a lifetime it is a browser-session cookie, on the whole site.
    const plain = await appCookie("_test").serialize("value");
    expect(plain).toContain("Path=/;");
    expect(plain).not.toMatch(/Max-Age|Expires/);
  });

  it("signs: its own value reads back, a forged one reads as nothing", async () => {
    const cookie = appCookie("_test");
    const header = await cookie.serialize({ sid: "abc" });
    const pair = header.split(";")[0]!;
    expect(await cookie.parse(pair)).toEqual({ sid: "abc" });
    const [name, value] = pair.split("=") as [string, string];
    const forged = `${name}=${encodeURIComponent(btoa(JSON.stringify({ sid: "other" })))}.${decodeURIComponent(value).split(".")[1]}`;
    expect(await cookie.parse(forged)).toBeNull();
  });

  it("keeps a whole session in one cookie", async () => {
    const { getSession, commitSession } = appCookieSessionStorage<{ sid: string }>("_test");
    const session = await getSession();
    session.set("sid", "xyz");
    const header = await commitSession(session);
    expect((await getSession(header.split(";")[0])).get("sid")).toBe("xyz");
  });
});
