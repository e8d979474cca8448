import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, readOidcProviders } from "~/config.server";

const base = { SESSION_SECRET: "s".repeat(40), ENCRYPTION_KEY: "e".repeat(40) };
const google = {
  OIDC_GOOGLE_ISSUER: "https://accounts.google.com",
  OIDC_GOOGLE_CLIENT_ID: "id.apps.googleusercontent.com",
  OIDC_GOOGLE_CLIENT_SECRET: "secret",
};

function message(env: Record<string, string>): string {
  try {
    readOidcProviders(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("OIDC_<ID>_* settings", () => {
  it("none: no providers, and OIDC_REQUIRE_TOTP defaults to true", () => {
    const config = loadConfig(base);
    expect(config.oidcProviders).toEqual([]);
    expect(config.oidcRequireTotp).toBe(true);
    expect(loadConfig({ ...base, OIDC_REQUIRE_TOTP: "false" }).oidcRequireTotp).toBe(false);
  });

  it("reads each provider; the id is the lower-case <ID>, the label defaults to it", () => {
    const providers = readOidcProviders({
      ...google,
      OIDC_GOOGLE_LABEL: "Google",
      OIDC_MY_IDP_ISSUER: "https://idp.example.com/realms/main/",
      OIDC_MY_IDP_CLIENT_ID: "app",
      OIDC_MY_IDP_CLIENT_SECRET: "s3cret",
    });
    expect(providers).toEqual([
      { id: "google", label: "Google", issuer: "https://accounts.google.com", clientId: "id.apps.googleusercontent.com", clientSecret: "secret", kind: "oidc" },
      { id: "my_idp", label: "my_idp", issuer: "https://idp.example.com/realms/main", clientId: "app", clientSecret: "s3cret", kind: "oidc" },
    ]);
  });

  it("ISSUER=https://github.com is the GitHub preset (plain OAuth 2)", () => {
    const [github] = readOidcProviders({ OIDC_GITHUB_ISSUER: "https://github.com", OIDC_GITHUB_CLIENT_ID: "x", OIDC_GITHUB_CLIENT_SECRET: "y", OIDC_GITHUB_LABEL: "GitHub" });
    expect(github).toMatchObject({ id: "github", kind: "github", label: "GitHub" });
  });

  it("validates the settings of one provider together, naming each variable", () => {
    expect(message({ OIDC_GOOGLE_CLIENT_ID: "x" })).toMatch(/OIDC_GOOGLE_ISSUER: required[\s\S]*OIDC_GOOGLE_CLIENT_SECRET: required/);
    expect(message({ OIDC_ACME_LABEL: "Acme" })).toContain("OIDC_ACME_CLIENT_ID: required");
    expect(message({ ...google, OIDC_GOOGLE_ISSUER: "http://accounts.google.com" })).toContain("OIDC_GOOGLE_ISSUER: expected");
    expect(message({ ...google, OIDC_GOOGLE_ISSUER: "not a url" })).toContain("OIDC_GOOGLE_ISSUER: expected");
  });

  it("http is accepted only for a loopback issuer", () => {
    expect(readOidcProviders({ ...google, OIDC_GOOGLE_ISSUER: "http://127.0.0.1:9000" })[0]!.issuer).toBe("http://127.0.0.1:9000");
    expect(readOidcProviders({ ...google, OIDC_GOOGLE_ISSUER: "http://localhost:9000" })[0]!.issuer).toBe("http://localhost:9000");
    expect(message({ ...google, OIDC_GOOGLE_ISSUER: "http://10.0.0.1:9000" })).toContain("OIDC_GOOGLE_ISSUER");
  });

  it("a bad provider stops the start (loadConfig)", () => {
    expect(() => loadConfig({ ...base, OIDC_X_ISSUER: "https://x.example" })).toThrow(/OIDC_X_CLIENT_ID: required/);
  });
});
