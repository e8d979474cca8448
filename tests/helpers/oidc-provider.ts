import { generateKeyPairSync, randomBytes } from "node:crypto";
import http from "node:http";
import net from "node:net";
import Provider from "oidc-provider";

/**
 * A real OpenID Connect provider for the tests (the `oidc-provider` package)
 * on 127.0.0.1: one confidential client, its own RS256 signing key, PKCE
 * required, and the package's development login and consent forms (any
 * password; the login names the account, which must be in `accounts`).
 */

export type TestAccount = { email?: string; email_verified?: boolean; name?: string };

export type TestProvider = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Accounts by subject; add or change them at any time. */
  accounts: Map<string, TestAccount>;
  stop: () => Promise<void>;
};

export const TEST_CLIENT_ID = "auth-kit-test";

/** A free port on 127.0.0.1 (for an app whose APP_ORIGIN must be known before it starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startTestProvider({ redirectUris, port = 0 }: { redirectUris: string[]; port?: number }): Promise<TestProvider> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: "jwk" }), kid: "test-key", alg: "RS256", use: "sig" };
  const accounts = new Map<string, TestAccount>();
  const clientSecret = randomBytes(24).toString("hex");
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: TEST_CLIENT_ID,
        client_secret: clientSecret,
        redirect_uris: redirectUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    jwks: { keys: [jwk as never] },
    cookies: { keys: [randomBytes(16).toString("hex")] },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    async findAccount(_ctx, sub) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...account }) };
    },
  });
  server.on("request", provider.callback());
  return {
    issuer,
    clientId: TEST_CLIENT_ID,
    clientSecret,
    accounts,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
