import type {
  AuthenticationResponseJSON,
  AuthenticatorTransportFuture,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { z } from "zod";
import type { ActivityOrigin } from "~/activity/activity.server";
import { getConfig } from "~/config.server";
import { db, type DB, type PasskeyRow } from "~/db.server";
import { keepOneWayIn } from "./ways-in.server";
import { announce, announcingTransaction } from "~/events/events.server";
import { logger } from "~/logger.server";
import { i18nFor } from "~/i18n/i18n.server";
import type { MessageKey, Translate } from "~/i18n/translate";
import { decodeBase64url, decodeBase64urlText, encodeBase64url, encodeBase64urlText } from "~/utils/base64url";
import { sha256Hex } from "~/utils/crypto.server";

/** SimpleWebAuthn, loaded at the first ceremony: ~20 MB of RSS that a process serving no passkey never holds. */
const webauthn = () => import("@simplewebauthn/server");

/**
 * Passkeys (WebAuthn): registering one, and verifying one to sign in or to
 * reauthenticate. Every ceremony starts with a challenge the server keeps
 * (`passkey_challenges`, stored as its SHA-256): it works once, for
 * CHALLENGE_MAX_AGE_MS, for one purpose and (except a login) one user.
 * The browser's response comes back as JSON inside a form field, so these
 * endpoints are plain form posts like every other page action.
 *
 * The relying party is APP_ORIGIN: its host name is the RP id, the origin
 * itself the only origin accepted. User verification (PIN, biometrics) is
 * required, so a passkey counts as two factors. docs/decisions/014-passkeys.md.
 */

export const CHALLENGE_MAX_AGE_MS = 5 * 60 * 1000;
export const MAX_PASSKEYS_PER_USER = 20;
const RP_NAME = "Remix Auth Kit";

export type PasskeyPurpose = "register" | "login" | "reauthenticate";

export type PasskeyRefusal =
  | "malformed"
  | "challenge"
  | "origin"
  | "rp-id"
  | "unknown-credential"
  | "other-user"
  | "counter"
  | "user-verification"
  | "signature"
  | "inactive"
  | "duplicate"
  | "too-many";

/** Each refusal's message, as a catalog key (app/i18n/en.ts). */
const MESSAGES: Record<PasskeyRefusal, MessageKey> = {
  malformed: "passkey.malformed",
  challenge: "passkey.challenge",
  origin: "passkey.origin",
  "rp-id": "passkey.origin",
  "unknown-credential": "passkey.unknownCredential",
  "other-user": "passkey.otherUser",
  counter: "passkey.counter",
  "user-verification": "passkey.userVerification",
  signature: "passkey.signature",
  inactive: "passkey.inactive",
  duplicate: "passkey.duplicate",
  "too-many": "passkey.tooManyPasskeys",
};

/** A refusal's message in a language. */
export function passkeyRefusalMessage(error: PasskeyError, t: Translate): string {
  return t(MESSAGES[error.reason], { max: MAX_PASSKEYS_PER_USER });
}

/** A refused ceremony: the route answers 400 with `message`; nothing was changed. */
export class PasskeyError extends Error {
  override name = "PasskeyError";
  constructor(
    readonly reason: PasskeyRefusal,
    /** The user the passkey (or the ceremony) belongs to, when known: the refusal is logged for them. */
    readonly userId: number | null = null,
  ) {
    super(i18nFor("en").t(MESSAGES[reason], { max: MAX_PASSKEYS_PER_USER }));
  }
}

/** The relying party: the RP id is APP_ORIGIN's host name (never the request's Host header). */
export function relyingParty(appOrigin = getConfig().appOrigin): { id: string; origin: string; name: string } {
  const url = new URL(appOrigin);
  return { id: url.hostname, origin: url.origin, name: RP_NAME };
}

/** Stores a new ceremony's challenge (which the options already carry). */
async function storeChallenge(challenge: string, purpose: PasskeyPurpose, userId: number | null, now: number): Promise<void> {
  await db
    .insertInto("passkey_challenges")
    .values({ challenge_hash: sha256Hex(challenge), purpose, user_id: userId, created_at: now, expires_at: now + CHALLENGE_MAX_AGE_MS })
    .execute();
}

/**
 * Uses up a challenge: the row is deleted whatever follows, so a response
 * (and any replay of it) gets one try. Refused when unknown, used, expired,
 * or made for another purpose or user.
 */
export async function consumeChallenge(challenge: string, purpose: PasskeyPurpose, userId: number | null, now = Date.now()): Promise<void> {
  const row = await db
    .deleteFrom("passkey_challenges")
    .where("challenge_hash", "=", sha256Hex(challenge))
    .returningAll()
    .executeTakeFirst();
  if (!row || Number(row.expires_at) <= now || row.purpose !== purpose || (row.user_id ?? null) !== userId) {
    throw new PasskeyError("challenge", userId);
  }
}

/** Housekeeping: challenges nobody answered. */
export async function deleteExpiredChallenges(now = Date.now()): Promise<number> {
  const result = await db.deleteFrom("passkey_challenges").where("expires_at", "<=", now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

// ---- the browser's responses -------------------------------------------------------------

const base64url = z.string().min(1).max(4096).regex(/^[A-Za-z0-9_-]+$/);
const CredentialSchema = z.object({
  id: base64url,
  rawId: base64url,
  type: z.literal("public-key"),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
});
const RegistrationSchema = CredentialSchema.extend({
  response: z.object({
    clientDataJSON: base64url,
    attestationObject: base64url.max(16_384),
    transports: z.array(z.string().max(32)).max(10).optional(),
  }),
});
const AuthenticationSchema = CredentialSchema.extend({
  response: z.object({
    clientDataJSON: base64url,
    authenticatorData: base64url,
    signature: base64url,
    userHandle: z.string().max(256).optional(),
  }),
});
const ClientDataSchema = z.object({ type: z.string(), challenge: z.string().min(1).max(1024), origin: z.string().max(2048) });

type ClientData = z.infer<typeof ClientDataSchema>;

function parseJson<T>(text: unknown, schema: z.ZodType<T>): T {
  if (typeof text !== "string" || text.length > 64 * 1024) throw new PasskeyError("malformed");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new PasskeyError("malformed");
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new PasskeyError("malformed");
  return parsed.data;
}

/** A passkey's public key as stored (base64url, written by this module). */
function storedPublicKey(text: string): Uint8Array<ArrayBuffer> {
  const key = decodeBase64url(text);
  if (!key) throw new Error("a stored passkey public key is not base64url");
  return key;
}

function clientDataOf(clientDataJSON: string): ClientData {
  // Not base64url: null, which parseJson refuses as malformed.
  return parseJson(decodeBase64urlText(clientDataJSON), ClientDataSchema);
}

/** A registration response (the `response` form field), checked for shape only. */
export function parseRegistrationResponse(text: unknown): RegistrationResponseJSON {
  return parseJson(text, RegistrationSchema) as RegistrationResponseJSON;
}

/** An authentication response (the `response` form field), checked for shape only. */
export function parseAuthenticationResponse(text: unknown): AuthenticationResponseJSON {
  return parseJson(text, AuthenticationSchema) as AuthenticationResponseJSON;
}

/**
 * Uses up the response's challenge, then checks the origin the browser signed
 * for. A refusal is logged for `subject` (the passkey's owner, when known).
 */
async function checkClientData(
  clientDataJSON: string,
  type: string,
  { purpose, userId, subject = userId }: { purpose: PasskeyPurpose; userId: number | null; subject?: number | null },
  now: number,
) {
  const clientData = clientDataOf(clientDataJSON);
  try {
    await consumeChallenge(clientData.challenge, purpose, userId, now);
  } catch (error) {
    throw error instanceof PasskeyError ? new PasskeyError(error.reason, subject) : error;
  }
  if (clientData.origin !== relyingParty().origin) throw new PasskeyError("origin", subject);
  if (clientData.type !== type) throw new PasskeyError("malformed", subject);
  return clientData;
}

/** The library's refusal, as one of ours (its messages are for developers). */
function refusalOf(error: unknown, userId: number | null): PasskeyError {
  if (error instanceof PasskeyError) return error;
  const message = error instanceof Error ? error.message : "";
  if (/RP ID/i.test(message)) return new PasskeyError("rp-id", userId);
  if (/counter/i.test(message)) return new PasskeyError("counter", userId);
  if (/user verification|could not be verified|not present/i.test(message)) return new PasskeyError("user-verification", userId);
  if (/origin/i.test(message)) return new PasskeyError("origin", userId);
  return new PasskeyError("signature", userId);
}

// ---- registration ---------------------------------------------------------------------------

const transportsOf = (row: Pick<PasskeyRow, "transports">) => JSON.parse(row.transports) as AuthenticatorTransportFuture[];

/** The options for navigator.credentials.create(): a discoverable credential with user verification. */
export async function registrationOptions(
  user: { id: number; email: string; name: string },
  now = Date.now(),
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const rp = relyingParty();
  const existing = await db.selectFrom("passkeys").select(["credential_id", "transports"]).where("user_id", "=", user.id).execute();
  const options = await (await webauthn()).generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.email,
    userDisplayName: user.name,
    // The user handle: the account's id (no email or name in it), the same for all of its passkeys.
    userID: new TextEncoder().encode(String(user.id)),
    attestationType: "none",
    excludeCredentials: existing.map((row) => ({ id: row.credential_id, transports: transportsOf(row) })),
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
    timeout: CHALLENGE_MAX_AGE_MS,
  });
  await storeChallenge(options.challenge, "register", user.id, now);
  return options;
}

/** Verifies a registration response for `userId` and stores the passkey under `name`. */
export async function registerPasskey(
  userId: number,
  name: string,
  text: unknown,
  origin: ActivityOrigin,
  now = Date.now(),
): Promise<PasskeyRow> {
  const response = parseRegistrationResponse(text);
  const clientData = await checkClientData(response.response.clientDataJSON, "webauthn.create", { purpose: "register", userId }, now);
  const rp = relyingParty();
  let info;
  try {
    const result = await (await webauthn()).verifyRegistrationResponse({
      response,
      expectedChallenge: clientData.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
    });
    if (!result.verified) throw new PasskeyError("signature", userId);
    info = result.registrationInfo;
  } catch (error) {
    throw refusalOf(error, userId);
  }
  const { credential } = info;
  // One transaction (they run one at a time: db/connection.ts), so two registrations at once cannot both pass the checks.
  const row = await db.transaction().execute(async (trx) => {
    const taken = await trx.selectFrom("passkeys").select("id").where("credential_id", "=", credential.id).executeTakeFirst();
    if (taken) throw new PasskeyError("duplicate", userId);
    if ((await countPasskeys(userId, trx)) >= MAX_PASSKEYS_PER_USER) throw new PasskeyError("too-many", userId);
    return trx
      .insertInto("passkeys")
      .values({
        user_id: userId,
        name,
        credential_id: credential.id,
        public_key: encodeBase64url(credential.publicKey),
        counter: credential.counter,
        transports: JSON.stringify(credential.transports ?? response.response.transports ?? []),
        device_type: info.credentialDeviceType,
        backed_up: info.credentialBackedUp ? 1 : 0,
        created_at: now,
        last_used_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
  await announce({ type: "passkey_added", actorId: userId, details: { passkey: name } }, origin, { now });
  return row;
}

// ---- authentication -------------------------------------------------------------------------

/**
 * The options for navigator.credentials.get(). For a login no credentials are
 * listed (discoverable credentials: the browser offers the passkeys it holds
 * for this site); to reauthenticate, only the user's own.
 */
export async function authenticationOptions(
  purpose: Exclude<PasskeyPurpose, "register">,
  userId: number | null,
  now = Date.now(),
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const own = userId === null ? [] : await db.selectFrom("passkeys").select(["credential_id", "transports"]).where("user_id", "=", userId).execute();
  const options = await (await webauthn()).generateAuthenticationOptions({
    rpID: relyingParty().id,
    userVerification: "required",
    allowCredentials: own.map((row) => ({ id: row.credential_id, transports: transportsOf(row) })),
    timeout: CHALLENGE_MAX_AGE_MS,
  });
  await storeChallenge(options.challenge, purpose, userId, now);
  return options;
}

/** Whose passkey signed this response (null: none of ours). For the rate limit, before anything is verified. */
export async function passkeyOwner(response: AuthenticationResponseJSON): Promise<number | null> {
  const row = await db.selectFrom("passkeys").select("user_id").where("credential_id", "=", response.id).executeTakeFirst();
  return row?.user_id ?? null;
}

/**
 * Verifies an authentication response: its challenge (single use, this
 * purpose, and for a reauthentication this user), origin, RP id, that the
 * passkey is registered (to `userId`, when given), its signature with user
 * verification, and that its counter went forward (when it counts). On
 * success the counter and last use are saved; on any refusal nothing changes
 * but the used-up challenge.
 */
export async function verifyPasskey(
  response: AuthenticationResponseJSON,
  { purpose, userId }: { purpose: Exclude<PasskeyPurpose, "register">; userId: number | null },
  now = Date.now(),
): Promise<PasskeyRow> {
  const passkey = await db.selectFrom("passkeys").selectAll().where("credential_id", "=", response.id).executeTakeFirst();
  const subject = userId ?? passkey?.user_id ?? null;
  const clientData = await checkClientData(response.response.clientDataJSON, "webauthn.get", { purpose, userId, subject }, now);
  if (!passkey) throw new PasskeyError("unknown-credential", userId);
  if (userId !== null && passkey.user_id !== userId) throw new PasskeyError("other-user", userId);
  const handle = response.response.userHandle;
  if (handle && handle !== encodeBase64urlText(String(passkey.user_id))) throw new PasskeyError("other-user", passkey.user_id);
  const rp = relyingParty();
  // Outside the try: a stored row that cannot be read is our fault (an error logged), not the user's signature.
  const credential = {
    id: passkey.credential_id,
    publicKey: storedPublicKey(passkey.public_key),
    counter: Number(passkey.counter),
    transports: transportsOf(passkey),
  };
  let info;
  try {
    const result = await (await webauthn()).verifyAuthenticationResponse({
      response,
      expectedChallenge: clientData.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
      credential,
    });
    if (!result.verified) throw new PasskeyError("signature", passkey.user_id);
    info = result.authenticationInfo;
  } catch (error) {
    throw refusalOf(error, passkey.user_id);
  }
  // Only forward: of two responses verified at once, the slower one does not set the counter back.
  await db
    .updateTable("passkeys")
    .set({ counter: info.newCounter, last_used_at: now, backed_up: info.credentialBackedUp ? 1 : 0, device_type: info.credentialDeviceType })
    .where("id", "=", passkey.id)
    .where("counter", "<=", info.newCounter)
    .execute();
  return { ...passkey, counter: info.newCounter, last_used_at: now };
}

/** Logs a refused ceremony (never the response itself) and records it for the passkey's or the ceremony's user. */
export async function recordPasskeyRefusal(
  error: PasskeyError,
  purpose: PasskeyPurpose,
  origin: ActivityOrigin,
): Promise<void> {
  logger.warn({ reason: error.reason, purpose, userId: error.userId, ip: origin.ip }, "passkey refused");
  // A response that could not be read, or names no passkey of ours, concerns no account.
  if (error.userId === null) return;
  await announce({ type: "passkey_refused", actorId: null, subjectId: error.userId, details: { reason: error.reason, step: purpose } }, origin);
}

// ---- the user's passkeys --------------------------------------------------------------------

export type PasskeySummary = {
  id: number;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  synced: boolean;
};

export async function listPasskeys(userId: number): Promise<PasskeySummary[]> {
  const rows = await db
    .selectFrom("passkeys")
    .select(["id", "name", "created_at", "last_used_at", "backed_up"])
    .where("user_id", "=", userId)
    .orderBy("id")
    .execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    synced: row.backed_up === 1,
  }));
}

export async function countPasskeys(userId: number, executor: DB = db): Promise<number> {
  const row = await executor.selectFrom("passkeys").select((eb) => eb.fn.countAll<number | string>().as("n")).where("user_id", "=", userId).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Renames one of the user's passkeys; false when the user has no such passkey. */
export async function renamePasskey(userId: number, passkeyId: number, name: string, origin: ActivityOrigin): Promise<boolean> {
  const result = await db.updateTable("passkeys").set({ name }).where("id", "=", passkeyId).where("user_id", "=", userId).executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return false;
  await announce({ type: "passkey_renamed", actorId: userId, details: { passkey: name } }, origin);
  return true;
}

/**
 * Removes one of the user's passkeys (`passkeyId`), or all of them (null);
 * returns the names removed. The removal is recorded for the user, by
 * `actorId`, in the caller's transaction when given (`within`, one from
 * announcingTransaction). The user's own removal (`keepOneWayIn`) is refused
 * when it would leave no way in: LastSignInMethodError.
 */
export async function removePasskeys(
  userId: number,
  passkeyId: number | null,
  { actorId, origin, within, keepOneWayIn: oneWayIn = false }: { actorId: number | null; origin: ActivityOrigin; within?: DB; keepOneWayIn?: boolean },
): Promise<string[]> {
  if (!within) return announcingTransaction((trx) => removePasskeys(userId, passkeyId, { actorId, origin, within: trx, keepOneWayIn: oneWayIn }));
  if (oneWayIn) await keepOneWayIn(within, userId, { passkeyId });
  let query = within.deleteFrom("passkeys").where("user_id", "=", userId);
  if (passkeyId !== null) query = query.where("id", "=", passkeyId);
  const removed = await query.returning("name").execute();
  if (removed.length > 0) {
    const details: Record<string, string | number> = passkeyId === null ? { passkeys: removed.length } : { passkey: removed[0]!.name };
    await announce({ type: "passkey_removed", actorId, subjectId: userId, details }, origin, { within });
  }
  return removed.map((row) => row.name);
}
