// A real OpenID Connect provider for the tests and the e2e suite (the
// `oidc-provider` package) on 127.0.0.1: one confidential client, its own
// RS256 signing key, PKCE required, and the package's development login and
// consent forms (any password; the login names the account). Plain JS so
// that e2e/start-server.mjs can start it too.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import http from "node:http";
import net from "node:net";
import Provider from "oidc-provider";

export const TEST_CLIENT_ID = "auth-kit-test";

/** A free port on 127.0.0.1 (for an app whose APP_ORIGIN must be known before it starts). @returns {Promise<number>} */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {net.AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/**
 * @typedef {{ email?: string; email_verified?: boolean; name?: string }} TestAccount
 * @typedef {{ issuer: string; clientId: string; clientSecret: string; accounts: Map<string, TestAccount>; stop: () => Promise<void> }} TestProvider
 */

/**
 * Starts the provider. `accounts` (by subject) can be changed at any time.
 * With `anyLogin`, a login not in `accounts` is an account too: the login is
 * its subject and its email (verified), or, as `unverified:EMAIL`, an
 * unverified one (for the e2e suite, which runs in another process).
 * @param {{ redirectUris: string[]; port?: number; clientSecret?: string; anyLogin?: boolean }} options
 * @returns {Promise<TestProvider>}
 */
export async function startTestProvider({ redirectUris, port = 0, clientSecret = randomBytes(24).toString("hex"), anyLogin = false }) {
  const server = http.createServer();
  await new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(undefined)));
  const issuer = `http://127.0.0.1:${/** @type {net.AddressInfo} */ (server.address()).port}`;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: "jwk" }), kid: "test-key", alg: "RS256", use: "sig" };
  /** @type {Map<string, TestAccount>} */
  const accounts = new Map();
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
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(16).toString("hex")] },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    /** @param {unknown} _ctx @param {string} sub */
    async findAccount(_ctx, sub) {
      let account = accounts.get(sub);
      if (!account && anyLogin) {
        const unverified = sub.startsWith("unverified:");
        const email = unverified ? sub.slice("unverified:".length) : sub;
        account = { email, email_verified: !unverified, name: email.split("@")[0] };
      }
      if (!account) return undefined;
      const claims = { sub, ...account };
      return { accountId: sub, claims: async () => claims };
    },
  });
  server.on("request", provider.callback());
  return {
    issuer,
    clientId: TEST_CLIENT_ID,
    clientSecret,
    accounts,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}
