import { spawnSync } from "node:child_process";
import { createCipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { generate } from "otplib";
import { describe, expect, it } from "vitest";
import { userIdOf } from "../helpers/account";
import { Client, PASSWORD, registerClient, sameDatabase, startServer, TEST_SECRET, type TestServer } from "../helpers/server";

/**
 * Issue 11 item 3: secrets at rest have their own key, ENCRYPTION_KEY. An
 * install from before it (TOTP secrets and recovery codes keyed from
 * SESSION_SECRET) keeps working through the upgrade, `npm run
 * secrets:reencrypt` moves every row to the first ENCRYPTION_KEY, and then
 * the old SESSION_SECRET can go without locking anyone out.
 */

const K1 = "first-encryption-key-0123456789abcdef012345678";
const K2 = "second-encryption-key-0123456789abcdef01234567";
const NEW_SESSION_SECRET = "a-new-session-secret-0123456789abcdef01234567";
const TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/** The pre-ENCRYPTION_KEY format, written independently of the app's code. */
function legacyKey(purpose: string) {
  return Buffer.from(hkdfSync("sha256", TEST_SECRET, "remix-auth-kit", `remix-auth-kit/${purpose}/v1`, 32));
}

function legacySeal(plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", legacyKey("encrypted-secret"), iv);
  cipher.setAAD(Buffer.from(context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString("base64url")}`;
}

function reencrypt(databaseUrl: string, env: Record<string, string>) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/reencrypt-secrets.ts"], {
    env: { PATH: process.env.PATH, NODE_ENV: "test", DATABASE_URL: databaseUrl, LOG_LEVEL: "silent", ...env },
    encoding: "utf8",
  });
  return { code: result.status, out: result.stdout.trim(), err: result.stderr.trim() };
}

async function logInWithCode(server: TestServer, email: string, code: string): Promise<Response> {
  const client = new Client(server.url);
  const password = await client.post("/login", { email, password: PASSWORD });
  expect(password.headers.get("Location")).toBe("/login/two-factor");
  return client.post("/login/two-factor", { code });
}

const totp = (steps: number) => generate({ secret: TOTP_SECRET, epoch: Math.floor(Date.now() / 1000) + steps * 30 });

describe("ENCRYPTION_KEY", () => {
  it("an install from before it keeps its two-factor users through the upgrade, the re-encryption and the removal of the old SESSION_SECRET", async () => {
    const first = await startServer({ ENCRYPTION_KEY: K1 });
    let email: string;
    let sealed: string;
    try {
      ({ email } = await registerClient(first, "Legacy Two Factor"));
      const id = await userIdOf(first, email);
      sealed = legacySeal(TOTP_SECRET, `two-factor:user:${id}`);
      const setUpAt = Date.now() - 600_000;
      await first.db
        .insertInto("two_factor")
        .values({ user_id: id, secret_encrypted: sealed, confirmed_at: setUpAt, last_time_step: null, created_at: setUpAt })
        .execute();
      const codeHash = createHmac("sha256", legacyKey("recovery-code")).update("abcde23456").digest("hex");
      await first.db.insertInto("recovery_codes").values({ user_id: id, code_hash: codeHash, created_at: Date.now() }).execute();

      const response = await logInWithCode(first, email, await totp(-1));
      expect(response.status).toBe(302);
      expect(response.headers.get("Location")).toBe("/dashboard");
    } finally {
      await first.stop();
    }

    const rotated = reencrypt(first.databaseUrl, { SESSION_SECRET: TEST_SECRET, ENCRYPTION_KEY: `${K2},${K1}` });
    expect(rotated).toMatchObject({ code: 0, err: "" });
    expect(rotated.out).toMatch(/^re-encrypted 1 of 1 two-factor secrets and 0 of 0 recovery-code keys under the first ENCRYPTION_KEY; 1 users still have recovery codes from before ENCRYPTION_KEY/);
    expect(reencrypt(first.databaseUrl, { SESSION_SECRET: NEW_SESSION_SECRET, ENCRYPTION_KEY: K2 })).toMatchObject({ code: 0 });
    const lost = reencrypt(first.databaseUrl, { SESSION_SECRET: NEW_SESSION_SECRET, ENCRYPTION_KEY: "a-key-that-wrote-nothing-0123456789abcdef012" });
    expect(lost.code).toBe(1);
    expect(lost.err.split("\n")).toHaveLength(1);
    expect(lost.err).toMatch(/^error: 1 stored secrets open with no configured ENCRYPTION_KEY or SESSION_SECRET/);

    const second = await startServer({ SESSION_SECRET: NEW_SESSION_SECRET, ENCRYPTION_KEY: K2 }, sameDatabase(first));
    try {
      const response = await logInWithCode(second, email!, await totp(1));
      expect(response.status).toBe(302);
      expect(response.headers.get("Location")).toBe("/dashboard");
      const row = await second.db.selectFrom("two_factor").select("secret_encrypted").where("user_id", "=", await userIdOf(second, email!)).executeTakeFirstOrThrow();
      expect(row.secret_encrypted).not.toBe(sealed!);
      expect(row.secret_encrypted).not.toContain(TOTP_SECRET);
    } finally {
      await second.stop();
    }
  });

  it("is required in production", async () => {
    await expect(
      startServer({ NODE_ENV: "production", APP_ORIGIN: "http://127.0.0.1", ENCRYPTION_KEY: "" }),
    ).rejects.toThrow(/ENCRYPTION_KEY: required with NODE_ENV=production/);
  });
});
