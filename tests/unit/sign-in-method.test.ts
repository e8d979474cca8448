import { describe, expect, it } from "vitest";
import { signInMethodLabel, withCode } from "~/auth/sign-in-method";
import { i18nFor } from "~/i18n/i18n.server";

describe("sign-in methods", () => {
  it("adds the code step once to any first factor", () => {
    expect(withCode("password")).toBe("password+code");
    expect(withCode("oidc:acme")).toBe("oidc:acme+code");
    expect(withCode("password+code")).toBe("password+code");
  });

  it("names each method in words, with provider labels from the caller", () => {
    const { t } = i18nFor("en");
    expect(signInMethodLabel("password", t)).toBe("Password");
    expect(signInMethodLabel("password+code", t)).toBe("Password and code");
    expect(signInMethodLabel("passkey", t)).toBe("Passkey");
    const label = (id: string) => (id === "github" ? "GitHub" : id);
    expect(signInMethodLabel("oidc:github", t, label)).toBe("GitHub");
    expect(signInMethodLabel("oidc:github+code", t, label)).toBe("GitHub and code");
    expect(signInMethodLabel("something-new", t)).toBe("something-new");
  });
});
