import { describe, expect, it } from "vitest";
import { signInMethodLabel, withCode } from "~/auth/sign-in-method";

describe("sign-in methods", () => {
  it("adds the code step once to any first factor", () => {
    expect(withCode("password")).toBe("password+code");
    expect(withCode("oidc:acme")).toBe("oidc:acme+code");
    expect(withCode("password+code")).toBe("password+code");
  });

  it("names each method in words, with provider labels from the caller", () => {
    expect(signInMethodLabel("password")).toBe("Password");
    expect(signInMethodLabel("password+code")).toBe("Password and code");
    expect(signInMethodLabel("passkey")).toBe("Passkey");
    const label = (id: string) => (id === "github" ? "GitHub" : id);
    expect(signInMethodLabel("oidc:github", label)).toBe("GitHub");
    expect(signInMethodLabel("oidc:github+code", label)).toBe("GitHub and code");
    expect(signInMethodLabel("something-new")).toBe("something-new");
  });
});
