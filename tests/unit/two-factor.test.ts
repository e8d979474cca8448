import { createCipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { generate } from "otplib";
import { describe, expect, it } from "vitest";
import {
  consumeRecoveryCode,
  countRecoveryCodes,
  generateRecoveryCode,
  normalizeRecoveryCode,
  RECOVERY_CODE_COUNT,
  replaceRecoveryCodes,
} from "~/auth/recovery-codes.server";
import { reencryptStoredSecrets } from "~/auth/reencrypt-secrets.server";
import { decryptSecret, encryptSecret } from "~/auth/secret-box.server";
import {
  beginTwoFactorSetup,
  checkSecondFactor,
  confirmTwoFactorSetup,
  disableTwoFactor,
  isTwoFactorEnabled,
  matchTotp,
  otpauthUri,
  twoFactorStatus,
  verifySecondFactor,
} from "~/auth/two-factor.server";
import {
  consumePendingLogin,
  deleteExpiredPendingLogins,
  PENDING_LOGIN_MAX_AGE_MS,
  readPendingLogin,
  redirectToSecondFactor,
} from "~/auth/two-factor-login.server";
import { getConfig } from "~/config.server";
import { db } from "~/db.server";
import { overrideConfig } from "../helpers/config";
import { updatePasswordHash } from "~/users/users.server";
import { makeUser } from "../helpers/users";

const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"; // 20 bytes
/** 12:00:10 UTC: 10 seconds into a 30-second step. */
const NOW = Date.UTC(2030, 0, 1, 12, 0, 10);
const code = (ms: number, secret = SECRET) => generate({ secret, epoch: Math.floor(ms / 1000) });

/** A user with two-factor on (confirmed at NOW - 5 minutes), its secret and recovery codes. */
async function userWithTwoFactor() {
  const user = await makeUser();
  const secret = (await beginTwoFactorSetup(user.id, NOW - 300_000))!;
  const recoveryCodes = (await confirmTwoFactorSetup(user.id, await code(NOW - 300_000, secret), NOW - 300_000))!;
  return { user, secret, recoveryCodes };
}

describe("TOTP windows (injected clock)", () => {
  it("accepts the current step and one either side, nothing further", async () => {
    const current = await code(NOW);
    expect(await matchTotp(SECRET, current, { now: NOW })).toBe(Math.floor(NOW / 30_000));
    expect(await matchTotp(SECRET, await code(NOW - 30_000), { now: NOW })).not.toBeNull();
    expect(await matchTotp(SECRET, await code(NOW + 30_000), { now: NOW })).not.toBeNull();
    expect(await matchTotp(SECRET, await code(NOW - 60_000), { now: NOW })).toBeNull();
    expect(await matchTotp(SECRET, await code(NOW + 60_000), { now: NOW })).toBeNull();
    // The same code, typed a step later, still works; two steps later it does not.
    expect(await matchTotp(SECRET, current, { now: NOW + 30_000 })).not.toBeNull();
    expect(await matchTotp(SECRET, current, { now: NOW + 60_000 })).toBeNull();
  });

  it("refuses steps at or before afterTimeStep, and anything that is not six digits", async () => {
    const step = Math.floor(NOW / 30_000);
    expect(await matchTotp(SECRET, await code(NOW), { now: NOW, afterTimeStep: step })).toBeNull();
    expect(await matchTotp(SECRET, await code(NOW), { now: NOW, afterTimeStep: step - 1 })).toBe(step);
    expect(await matchTotp(SECRET, "12345", { now: NOW })).toBeNull();
    expect(await matchTotp(SECRET, "abcdef", { now: NOW })).toBeNull();
  });

  it("builds the otpauth URI an authenticator app reads", async () => {
    expect(await otpauthUri("ada@example.com", SECRET)).toBe(
      `otpauth://totp/Remix%20Auth%20Kit:ada%40example.com?secret=${SECRET}&issuer=Remix%20Auth%20Kit`,
    );
  });
});

describe("setup", () => {
  it("is pending until a correct code, then on, with ten recovery codes; the secret is not handed out any more", async () => {
    const user = await makeUser();
    const secret = (await beginTwoFactorSetup(user.id, NOW))!;
    expect(await twoFactorStatus(user.id)).toEqual({ state: "pending", secret });
    expect(await isTwoFactorEnabled(user.id)).toBe(false);

    expect(await confirmTwoFactorSetup(user.id, await code(NOW - 90_000, secret), NOW)).toBeNull();
    expect(await isTwoFactorEnabled(user.id)).toBe(false);

    const codes = await confirmTwoFactorSetup(user.id, await code(NOW, secret), NOW);
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(await twoFactorStatus(user.id)).toEqual({ state: "on", confirmedAt: NOW });
    expect(await isTwoFactorEnabled(user.id)).toBe(true);
    // Confirming twice, or restarting setup while on, does nothing.
    expect(await confirmTwoFactorSetup(user.id, await code(NOW + 30_000, secret), NOW + 30_000)).toBeNull();
    expect(await beginTwoFactorSetup(user.id, NOW)).toBeNull();
  });

  it("stores the secret encrypted, bound to its user", async () => {
    const { user, secret } = await userWithTwoFactor();
    const row = await db.selectFrom("two_factor").selectAll().where("user_id", "=", user.id).executeTakeFirstOrThrow();
    expect(row.secret_encrypted).not.toContain(secret);
    expect(row.secret_encrypted).toMatch(/^v1\./);
    expect(decryptSecret(row.secret_encrypted, `two-factor:user:${user.id}`)?.plaintext).toBe(secret);
    expect(decryptSecret(row.secret_encrypted, `two-factor:user:${user.id + 1}`)).toBeNull();
  });

  it("disabling deletes the secret and the recovery codes", async () => {
    const { user } = await userWithTwoFactor();
    await disableTwoFactor(user.id);
    expect(await twoFactorStatus(user.id)).toEqual({ state: "off" });
    expect(await countRecoveryCodes(user.id)).toBe(0);
  });
});

describe("verifySecondFactor", () => {
  it("accepts each TOTP step once: a replayed or older code is refused", async () => {
    const { user, secret } = await userWithTwoFactor();
    const current = await code(NOW, secret);
    expect(await verifySecondFactor(user.id, current, NOW)).toBe("totp");
    expect(await verifySecondFactor(user.id, current, NOW)).toBeNull();
    expect(await verifySecondFactor(user.id, await code(NOW - 30_000, secret), NOW)).toBeNull();
    expect(await verifySecondFactor(user.id, ` ${(await code(NOW + 30_000, secret)).replace(/(\d{3})/, "$1 ")}`, NOW)).toBe("totp");
  });

  it("tells a code already used (at setup, or by a login) from a wrong one", async () => {
    const user = await makeUser();
    const secret = (await beginTwoFactorSetup(user.id, NOW))!;
    expect(await confirmTwoFactorSetup(user.id, await code(NOW, secret), NOW)).not.toBeNull();
    expect(await checkSecondFactor(user.id, await code(NOW, secret), NOW)).toEqual({ ok: false, reason: "used" });
    expect(await checkSecondFactor(user.id, await code(NOW - 30_000, secret), NOW)).toEqual({ ok: false, reason: "used" });
    expect(await checkSecondFactor(user.id, "000000", NOW)).toEqual({ ok: false, reason: "invalid" });
    expect(await checkSecondFactor(user.id, await code(NOW - 90_000, secret), NOW)).toEqual({ ok: false, reason: "invalid" });
    expect(await checkSecondFactor(user.id, await code(NOW + 30_000, secret), NOW)).toEqual({ ok: true, factor: "totp" });
    expect(await checkSecondFactor(user.id, await code(NOW + 30_000, secret), NOW + 30_000)).toEqual({ ok: false, reason: "used" });
  });

  it("lets exactly one of several parallel submissions of one code through", async () => {
    const { user, secret } = await userWithTwoFactor();
    const current = await code(NOW, secret);
    const results = await Promise.all(Array.from({ length: 8 }, () => verifySecondFactor(user.id, current, NOW)));
    expect(results.filter((r) => r === "totp")).toHaveLength(1);
  });

  it("accepts each recovery code once, in any case and with or without the dash", async () => {
    const { user, recoveryCodes } = await userWithTwoFactor();
    const [first, second] = recoveryCodes;
    expect(await verifySecondFactor(user.id, first!.toUpperCase().replace("-", " "), NOW)).toBe("recovery_code");
    expect(await verifySecondFactor(user.id, first!, NOW)).toBeNull();
    const parallel = await Promise.all(Array.from({ length: 5 }, () => verifySecondFactor(user.id, second!, NOW)));
    expect(parallel.filter(Boolean)).toHaveLength(1);
    expect(await countRecoveryCodes(user.id)).toBe(RECOVERY_CODE_COUNT - 2);
  });

  it("refuses everything for a user without two-factor, and a pending setup is not on", async () => {
    const user = await makeUser();
    const secret = (await beginTwoFactorSetup(user.id, NOW))!;
    expect(await verifySecondFactor(user.id, await code(NOW, secret), NOW)).toBeNull();
  });

  it("still works after ENCRYPTION_KEY rotation, and re-encrypts under the new key", async () => {
    const { user, secret } = await userWithTwoFactor();
    const old = getConfig().encryptionKeys;
    const before = await db.selectFrom("two_factor").select("secret_encrypted").where("user_id", "=", user.id).executeTakeFirstOrThrow();
    const restore = overrideConfig({ encryptionKeys: ["a-brand-new-key-0123456789abcdefghijklmnopqr", ...old] });
    try {
      expect(await verifySecondFactor(user.id, await code(NOW, secret), NOW)).toBe("totp");
      const after = await db.selectFrom("two_factor").select("secret_encrypted").where("user_id", "=", user.id).executeTakeFirstOrThrow();
      expect(after.secret_encrypted).not.toBe(before.secret_encrypted);
      expect(decryptSecret(after.secret_encrypted, `two-factor:user:${user.id}`)).toEqual({ plaintext: secret, rotated: false });
    } finally {
      restore();
    }
  });
});

describe("recovery codes", () => {
  it("are ten readable xxxxx-xxxxx codes, all different", async () => {
    const user = await makeUser();
    const codes = await replaceRecoveryCodes(user.id);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[2-9a-hjkmnp-z]{5}-[2-9a-hjkmnp-z]{5}$/);
    expect(generateRecoveryCode()).not.toBe(generateRecoveryCode());
  });

  it("are stored as keyed hashes, never in clear", async () => {
    const user = await makeUser();
    const codes = await replaceRecoveryCodes(user.id);
    const rows = await db.selectFrom("recovery_codes").select("code_hash").where("user_id", "=", user.id).execute();
    expect(rows).toHaveLength(10);
    for (const row of rows) {
      expect(row.code_hash).toMatch(/^[0-9a-f]{64}$/);
      for (const c of codes) expect(row.code_hash).not.toContain(normalizeRecoveryCode(c));
    }
  });

  it("regenerating kills the old set", async () => {
    const user = await makeUser();
    const old = await replaceRecoveryCodes(user.id);
    const fresh = await replaceRecoveryCodes(user.id);
    expect(await consumeRecoveryCode(user.id, old[0]!)).toBe(false);
    expect(await consumeRecoveryCode(user.id, fresh[0]!)).toBe(true);
  });

  it("belong to their user only, and survive a SESSION_SECRET rotation", async () => {
    const owner = await makeUser();
    const other = await makeUser();
    const codes = await replaceRecoveryCodes(owner.id);
    expect(await consumeRecoveryCode(other.id, codes[0]!)).toBe(false);
    const restore = overrideConfig({ sessionSecrets: ["a-brand-new-secret-0123456789abcdefghijklmnop", ...getConfig().sessionSecrets] });
    try {
      expect(await consumeRecoveryCode(owner.id, codes[0]!)).toBe(true);
    } finally {
      restore();
    }
  });

  it("normalises what people type", () => {
    expect(normalizeRecoveryCode("ABCDE-23456")).toBe("abcde23456");
    expect(normalizeRecoveryCode(" abcde 23456 ")).toBe("abcde23456");
    expect(normalizeRecoveryCode("abcde-2345")).toBeNull();
    expect(normalizeRecoveryCode("abcde-2345o")).toBeNull(); // no o in the alphabet
  });
});

describe("secret box", () => {
  it("refuses a tampered value", () => {
    const sealed = encryptSecret("hello", "ctx");
    expect(decryptSecret(sealed, "ctx")?.plaintext).toBe("hello");
    const raw = Buffer.from(sealed.slice(3), "base64url");
    raw[raw.length - 1]! ^= 1;
    expect(decryptSecret(`v1.${raw.toString("base64url")}`, "ctx")).toBeNull();
    expect(decryptSecret("v1.AAAA", "ctx")).toBeNull();
    expect(decryptSecret("plain", "ctx")).toBeNull();
  });

  it("fails closed when the key that wrote it is gone", () => {
    const sealed = encryptSecret("hello", "ctx");
    const restore = overrideConfig({
      encryptionKeys: ["only-a-new-key-0123456789abcdefghijklmnopqrs"],
      sessionSecrets: ["only-a-new-secret-0123456789abcdefghijklmnop"],
    });
    try {
      expect(decryptSecret(sealed, "ctx")).toBeNull();
    } finally {
      restore();
    }
  });
});

describe("the pending login", () => {
  async function pendingRequest(userId: number, now: number) {
    const response = await redirectToSecondFactor({ userId, remember: true, redirectTo: "/dashboard/notes" }, now);
    expect(response.headers.get("Location")).toBe("/login/two-factor");
    const setCookie = response.headers.get("Set-Cookie")!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Max-Age=600/);
    return new Request("http://localhost/login/two-factor", { headers: { Cookie: setCookie.split(";")[0]! } });
  }

  it("holds the user, remember me and redirectTo for ten minutes", async () => {
    const user = await makeUser();
    const request = await pendingRequest(user.id, NOW);
    expect(await readPendingLogin(request, NOW + 60_000)).toMatchObject({
      pending: { userId: user.id, remember: true, redirectTo: "/dashboard/notes", expiresAt: NOW + PENDING_LOGIN_MAX_AGE_MS },
      user: { id: user.id },
    });
    expect(await readPendingLogin(request, NOW + PENDING_LOGIN_MAX_AGE_MS)).toBeNull();
  });

  it("is worthless when forged, and the database keeps only the id's hash", async () => {
    const user = await makeUser();
    const request = await pendingRequest(user.id, NOW);
    const [name, value] = request.headers.get("Cookie")!.split("=");
    const [encoded, signature] = decodeURIComponent(value!).split(".");
    const id = JSON.parse(Buffer.from(encoded!, "base64").toString()) as string;
    const withValue = (v: unknown, sig = signature) =>
      new Request("http://localhost/", {
        headers: { Cookie: `${name}=${encodeURIComponent(`${Buffer.from(JSON.stringify(v)).toString("base64")}.${sig}`)}` },
      });
    expect(await readPendingLogin(withValue(id), NOW)).not.toBeNull();
    // Another id (one character changed; never the same character, or this passes by luck 1 time in 64).
    expect(await readPendingLogin(withValue(`${id.slice(0, -1)}${id.endsWith("A") ? "B" : "A"}`), NOW)).toBeNull();
    expect(await readPendingLogin(withValue({ userId: user.id, remember: true, expiresAt: NOW + 60_000 }), NOW)).toBeNull();
    const rows = await db.selectFrom("pending_logins").selectAll().where("user_id", "=", user.id).execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(id);
  });

  it("works once, even for parallel submissions", async () => {
    const user = await makeUser();
    const request = await pendingRequest(user.id, NOW);
    const { pending } = (await readPendingLogin(request, NOW))!;
    const results = await Promise.all([consumePendingLogin(pending, NOW), consumePendingLogin(pending, NOW)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await readPendingLogin(request, NOW)).toBeNull();
  });

  it("dies with a password change, and with the account's deactivation", async () => {
    const user = await makeUser();
    const request = await pendingRequest(user.id, NOW);
    await updatePasswordHash(user.id, "$2b$04$someoneElseSetThisPasswordHashXXXXXXXXXXXXXXXXXXXXXXXX");
    expect(await readPendingLogin(request, NOW)).toBeNull();
    const other = await makeUser();
    const second = await pendingRequest(other.id, NOW);
    await db.updateTable("users").set({ active: 0 }).where("id", "=", other.id).execute();
    expect(await readPendingLogin(second, NOW)).toBeNull();
  });

  it("is removed by housekeeping once expired", async () => {
    const user = await makeUser();
    await pendingRequest(user.id, NOW - PENDING_LOGIN_MAX_AGE_MS - 1);
    expect(await deleteExpiredPendingLogins(NOW, { batchSize: 1 })).toBeGreaterThanOrEqual(1);
    expect(await db.selectFrom("pending_logins").select("id_hash").where("user_id", "=", user.id).execute()).toEqual([]);
  });
});


/**
 * Installs from before ENCRYPTION_KEY: TOTP secrets and recovery codes were
 * keyed from SESSION_SECRET. The old format is written here independently of
 * the app's code, so the test pins it.
 */
function legacyKey(purpose: string, secret = getConfig().sessionSecrets[0]!) {
  return Buffer.from(hkdfSync("sha256", secret, "remix-auth-kit", `remix-auth-kit/${purpose}/v1`, 32));
}

function legacySeal(plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", legacyKey("encrypted-secret"), iv);
  cipher.setAAD(Buffer.from(context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString("base64url")}`;
}

/** A user as an older version left them: two-factor on, secret and recovery codes keyed from SESSION_SECRET. */
async function legacyUserWithTwoFactor() {
  const user = await makeUser();
  await db
    .insertInto("two_factor")
    .values({ user_id: user.id, secret_encrypted: legacySeal(SECRET, `two-factor:user:${user.id}`), confirmed_at: NOW - 600_000, last_time_step: null, created_at: NOW - 600_000 })
    .execute();
  const codes = ["abcde-23456", "fghjk-789ab"];
  await db
    .insertInto("recovery_codes")
    .values(codes.map((c) => ({ user_id: user.id, code_hash: createHmac("sha256", legacyKey("recovery-code")).update(normalizeRecoveryCode(c)!).digest("hex"), created_at: NOW })))
    .execute();
  return { user, codes };
}

const A_NEW_SESSION_SECRET = "a-replacement-session-secret-0123456789abcdef";

describe("ENCRYPTION_KEY and existing installs", () => {
  it("a TOTP secret encrypted under SESSION_SECRET still opens, moves to ENCRYPTION_KEY on use, then outlives SESSION_SECRET", async () => {
    const { user } = await legacyUserWithTwoFactor();
    expect(await verifySecondFactor(user.id, await code(NOW), NOW)).toBe("totp");
    const row = await db.selectFrom("two_factor").select("secret_encrypted").where("user_id", "=", user.id).executeTakeFirstOrThrow();
    expect(decryptSecret(row.secret_encrypted, `two-factor:user:${user.id}`)).toEqual({ plaintext: SECRET, rotated: false });
    const restore = overrideConfig({ sessionSecrets: [A_NEW_SESSION_SECRET] });
    try {
      expect(await verifySecondFactor(user.id, await code(NOW + 30_000), NOW + 30_000)).toBe("totp");
    } finally {
      restore();
    }
  });

  it("recovery codes from before keep working; new ones use the user's own key and outlive SESSION_SECRET", async () => {
    const { user, codes } = await legacyUserWithTwoFactor();
    expect(await consumeRecoveryCode(user.id, codes[0]!)).toBe(true);
    expect(await consumeRecoveryCode(user.id, codes[0]!)).toBe(false);
    const fresh = await replaceRecoveryCodes(user.id);
    expect(await consumeRecoveryCode(user.id, codes[1]!)).toBe(false);
    const restore = overrideConfig({ sessionSecrets: [A_NEW_SESSION_SECRET] });
    try {
      expect(await consumeRecoveryCode(user.id, fresh[0]!)).toBe(true);
    } finally {
      restore();
    }
  });

  it("reencryptStoredSecrets moves every row to the first key, so the older keys and SESSION_SECRET can go", async () => {
    // Other tests of this file leave rows under keys no longer configured: count from here.
    const before = await reencryptStoredSecrets();
    const legacy = await legacyUserWithTwoFactor();
    const current = await userWithTwoFactor();
    const newKey = "the-next-encryption-key-0123456789abcdefghijk";
    const restoreKeys = overrideConfig({ encryptionKeys: [newKey, ...getConfig().encryptionKeys] });
    try {
      const report = await reencryptStoredSecrets();
      expect(report.twoFactorSecrets.unreadable).toBe(before.twoFactorSecrets.unreadable);
      expect(report.recoveryCodeKeys.unreadable).toBe(before.recoveryCodeKeys.unreadable);
      expect(report.twoFactorSecrets.reencrypted).toBeGreaterThanOrEqual(2);
      expect(report.recoveryCodeKeys.reencrypted).toBeGreaterThanOrEqual(1);
      expect(report.legacyRecoveryCodeUsers).toBeGreaterThanOrEqual(1);
      expect((await reencryptStoredSecrets()).twoFactorSecrets.reencrypted).toBe(0);
    } finally {
      restoreKeys();
    }
    const restore = overrideConfig({ encryptionKeys: [newKey], sessionSecrets: [A_NEW_SESSION_SECRET] });
    try {
      expect(await verifySecondFactor(legacy.user.id, await code(NOW), NOW)).toBe("totp");
      expect(await verifySecondFactor(current.user.id, await code(NOW, current.secret), NOW)).toBe("totp");
      expect(await consumeRecoveryCode(current.user.id, current.recoveryCodes[0]!)).toBe(true);
      // Codes keyed from the removed SESSION_SECRET are gone with it (the README says so); the TOTP secret is not.
      expect(await consumeRecoveryCode(legacy.user.id, legacy.codes[0]!)).toBe(false);
      const report = await reencryptStoredSecrets();
      expect(report.twoFactorSecrets.reencrypted).toBe(0);
    } finally {
      restore();
    }
  });
});
