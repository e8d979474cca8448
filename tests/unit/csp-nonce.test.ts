import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { authorizationOrigins } from "~/auth/oidc/providers.server";
import { loadConfig } from "~/config.server";
import { newNonce, securityHeaders } from "../../server/security";

describe("CSP nonces", () => {
  it("are 16 random bytes in base64, never the same twice, across refills of the random block", () => {
    // 4 KiB blocks hold 256 nonces: 1,000 cross three refills.
    const nonces = Array.from({ length: 1_000 }, () => newNonce());
    expect(new Set(nonces).size).toBe(nonces.length);
    for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
  });
});

describe("CSP form-action", () => {
  /** The Content-Security-Policy that securityHeaders sets on one response. */
  function policyOf(set: (res: ServerResponse) => string): string {
    const headers = new Map<string, string>();
    set({ setHeader: (name: string, value: string) => headers.set(name, value) } as unknown as ServerResponse);
    return headers.get("Content-Security-Policy")!;
  }

  it("allows the site and the providers' issuers, then each authorization endpoint's origin once discovered", () => {
    const config = loadConfig({
      SESSION_SECRET: "s".repeat(40),
      ENCRYPTION_KEY: "e".repeat(40),
      OIDC_POOL_ISSUER: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc",
      OIDC_POOL_CLIENT_ID: "client",
      OIDC_POOL_CLIENT_SECRET: "secret",
    });
    const set = securityHeaders(config);
    const before = policyOf(set);
    expect(before).toMatch(/form-action 'self' https:\/\/cognito-idp\.eu-west-1\.amazonaws\.com($|;)/);
    expect(before).not.toContain("amazoncognito.com");
    // What discovery records (app/auth/oidc/providers.server.ts): this provider authorizes on another host.
    authorizationOrigins.add("https://pool.auth.eu-west-1.amazoncognito.com");
    try {
      expect(policyOf(set)).toMatch(/form-action 'self' https:\/\/cognito-idp\.eu-west-1\.amazonaws\.com https:\/\/pool\.auth\.eu-west-1\.amazoncognito\.com($|;)/);
    } finally {
      authorizationOrigins.delete("https://pool.auth.eu-west-1.amazoncognito.com");
    }
  });
});
