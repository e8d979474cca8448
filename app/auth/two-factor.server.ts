import { db, type DB } from "~/db.server";
import { consumeRecoveryCode, replaceRecoveryCodes } from "./recovery-codes.server";
import { decryptSecret, encryptSecret } from "./secret-box.server";

/** otplib, loaded when a code is first checked or made: a process that never sees two-factor never holds it. */
const totp = () => import("otplib");

/**
 * TOTP two-factor authentication (RFC 6238: SHA-1, 6 digits, 30-second steps,
 * what every authenticator app expects). A code is accepted for the current
 * step and one step either side, and each step only once per user: the last
 * accepted step is stored and a code for it or an earlier one is a replay.
 * Every function that depends on time takes `now` (milliseconds).
 */

export const TOTP_ISSUER = "Remix Auth Kit";
export const TOTP_PERIOD_SECONDS = 30;
/** ±1 time step: covers clock drift and a code typed as it changes. */
const TOLERANCE_SECONDS = TOTP_PERIOD_SECONDS;

export type TwoFactorStatus =
  | { state: "off" }
  | { state: "pending"; secret: string }
  | { state: "on"; confirmedAt: number };

const context = (userId: number) => `two-factor:user:${userId}`;

async function readSecret(userId: number, sealed: string): Promise<string | null> {
  const opened = decryptSecret(sealed, context(userId));
  if (!opened) return null;
  // Written under an older ENCRYPTION_KEY (or SESSION_SECRET, before there was one): re-encrypt under the current key.
  if (opened.rotated) await reencryptTwoFactorSecret(userId, sealed, opened.plaintext);
  return opened.plaintext;
}

/** Writes a user's TOTP secret again under the current ENCRYPTION_KEY (unless it changed meanwhile). */
export async function reencryptTwoFactorSecret(userId: number, sealed: string, secret: string): Promise<boolean> {
  const result = await db
    .updateTable("two_factor")
    .set({ secret_encrypted: encryptSecret(secret, context(userId)) })
    .where("user_id", "=", userId)
    .where("secret_encrypted", "=", sealed)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Opens a stored TOTP secret (for the re-encryption command); null when no configured key opens it. */
export function openTwoFactorSecret(userId: number, sealed: string) {
  return decryptSecret(sealed, context(userId));
}

/** Whether a user has two-factor on, is setting it up, or neither. The secret leaves only while pending. */
export async function twoFactorStatus(userId: number): Promise<TwoFactorStatus> {
  const row = await db.selectFrom("two_factor").selectAll().where("user_id", "=", userId).executeTakeFirst();
  if (!row) return { state: "off" };
  if (row.confirmed_at !== null) return { state: "on", confirmedAt: row.confirmed_at };
  const secret = await readSecret(userId, row.secret_encrypted);
  return secret ? { state: "pending", secret } : { state: "off" };
}

export async function isTwoFactorEnabled(userId: number): Promise<boolean> {
  const row = await db
    .selectFrom("two_factor")
    .select("user_id")
    .where("user_id", "=", userId)
    .where("confirmed_at", "is not", null)
    .executeTakeFirst();
  return row !== undefined;
}

/** The `otpauth://totp/...` URI an authenticator app reads (from the QR code or typed in). */
export async function otpauthUri(email: string, secret: string): Promise<string> {
  const { generateURI } = await totp();
  return generateURI({ issuer: TOTP_ISSUER, label: email, secret });
}

/** The URI as an SVG QR code, for inline use. */
export async function qrCodeSvg(uri: string): Promise<string> {
  // Loaded when someone sets up two-factor, not by every server process at start.
  const { default: QRCode } = await import("qrcode");
  return QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
}

/** Starts (or restarts) setup: a new secret, stored encrypted and unconfirmed. Refused while two-factor is on. */
export async function beginTwoFactorSetup(userId: number, now = Date.now()): Promise<string | null> {
  const { generateSecret } = await totp();
  const secret = generateSecret({ length: 20 });
  const sealed = encryptSecret(secret, context(userId));
  const result = await db
    .insertInto("two_factor")
    .values({ user_id: userId, secret_encrypted: sealed, confirmed_at: null, last_time_step: null, created_at: now })
    .onConflict((oc) =>
      oc.column("user_id").doUpdateSet({ secret_encrypted: sealed, created_at: now }).where("two_factor.confirmed_at", "is", null),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0 ? secret : null;
}

/** Abandons a pending setup (two-factor that is on stays on). */
export async function cancelTwoFactorSetup(userId: number): Promise<void> {
  await db.deleteFrom("two_factor").where("user_id", "=", userId).where("confirmed_at", "is", null).execute();
}

/** The time step a 6-digit code is valid for at `now` (±1 step) and after `afterTimeStep`, or null. */
export async function matchTotp(
  secret: string,
  code: string,
  { now = Date.now(), afterTimeStep }: { now?: number; afterTimeStep?: number | null } = {},
): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const { verify } = await totp();
  const result = await verify({
    secret,
    token: code,
    epoch: Math.floor(now / 1000),
    epochTolerance: TOLERANCE_SECONDS,
    ...(afterTimeStep === null || afterTimeStep === undefined ? {} : { afterTimeStep }),
  });
  return result.valid && "timeStep" in result ? result.timeStep : null;
}

/** Records `step` as used; false when this or a later step was already used (a replay, also under parallel submits). */
async function claimTimeStep(userId: number, step: number): Promise<boolean> {
  const result = await db
    .updateTable("two_factor")
    .set({ last_time_step: step })
    .where("user_id", "=", userId)
    .where("confirmed_at", "is not", null)
    .where((eb) => eb.or([eb("last_time_step", "is", null), eb("last_time_step", "<", step)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Finishes setup with the first correct code: two-factor is on from then and
 * the new recovery codes are returned (to show once). Null for a wrong code
 * or when there is no pending setup.
 */
export async function confirmTwoFactorSetup(userId: number, code: string, now = Date.now()): Promise<string[] | null> {
  const row = await db.selectFrom("two_factor").selectAll().where("user_id", "=", userId).executeTakeFirst();
  if (!row || row.confirmed_at !== null) return null;
  const secret = await readSecret(userId, row.secret_encrypted);
  if (!secret) return null;
  const step = await matchTotp(secret, normalizeCode(code), { now });
  if (step === null) return null;
  return db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable("two_factor")
      .set({ last_time_step: step, confirmed_at: now })
      .where("user_id", "=", userId)
      .where("confirmed_at", "is", null)
      .where("secret_encrypted", "=", row.secret_encrypted)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) return null;
    return replaceRecoveryCodes(userId, { now, trx });
  });
}

/** Spaces are for reading codes aloud; they are not part of the code. */
export function normalizeCode(input: string): string {
  return input.trim().replace(/\s+/g, "");
}

export type SecondFactor = "totp" | "recovery_code";

/**
 * Why a second factor was refused: "used" is a right TOTP code whose time step
 * was already accepted (at setup, or a login moments ago), so the person is
 * told to wait for the next code rather than that the code is wrong.
 */
export type SecondFactorCheck = { ok: true; factor: SecondFactor } | { ok: false; reason: "invalid" | "used" };

/**
 * Checks a second factor for a user with two-factor on: a 6-digit TOTP code
 * (each time step accepted once) or a recovery code (each accepted once).
 */
export async function checkSecondFactor(userId: number, input: string, now = Date.now()): Promise<SecondFactorCheck> {
  const invalid = { ok: false, reason: "invalid" } as const;
  const code = normalizeCode(input);
  const row = await db.selectFrom("two_factor").selectAll().where("user_id", "=", userId).executeTakeFirst();
  if (!row || row.confirmed_at === null) return invalid;
  if (/^\d{6}$/.test(code)) {
    const secret = await readSecret(userId, row.secret_encrypted);
    if (!secret) return invalid;
    const step = await matchTotp(secret, code, { now });
    if (step === null) return invalid;
    const used = { ok: false, reason: "used" } as const;
    if (row.last_time_step !== null && step <= row.last_time_step) return used;
    // A parallel submission of the same code that claimed the step first makes this one a replay too.
    return (await claimTimeStep(userId, step)) ? { ok: true, factor: "totp" } : used;
  }
  return (await consumeRecoveryCode(userId, code)) ? { ok: true, factor: "recovery_code" } : invalid;
}

/** checkSecondFactor, answering only which factor was used, or null. */
export async function verifySecondFactor(userId: number, input: string, now = Date.now()): Promise<SecondFactor | null> {
  const check = await checkSecondFactor(userId, input, now);
  return check.ok ? check.factor : null;
}

/** What a person is told when a TOTP code was right but already used in its time step. */
/** The message (a catalog key) for a code already used in its 30-second window. */
export const CODE_ALREADY_USED = "twoFactor.codeAlreadyUsed" as const;

/**
 * Turns two-factor off: the secret, the recovery codes and their key are
 * deleted, in the caller's transaction when given (`within`). True when there was anything to delete.
 */
export async function disableTwoFactor(userId: number, within?: DB): Promise<boolean> {
  if (!within) return db.transaction().execute((trx) => disableTwoFactor(userId, trx));
  await within.deleteFrom("recovery_codes").where("user_id", "=", userId).execute();
  await within.deleteFrom("recovery_code_keys").where("user_id", "=", userId).execute();
  const deleted = await within.deleteFrom("two_factor").where("user_id", "=", userId).executeTakeFirst();
  return Number(deleted.numDeletedRows) > 0;
}
