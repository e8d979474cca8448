import { redirect } from "@remix-run/node";
import { passwordFingerprint } from "~/account/tokens.server";
import { db, deleteInBatches, type User } from "~/db.server";
import { appCookie } from "~/utils/cookies.server";
import { randomToken, sha256Hex } from "~/utils/crypto.server";
import { storedRedirect } from "./safe-redirect";
import type { FirstFactor } from "./sign-in-method";

/**
 * Between the password and the second factor, a login is pending. It lives on
 * the server (`pending_logins`): the cookie carries only a random id, the row
 * its SHA-256, whose password was right, the remember-me choice and where to
 * go next. A pending login works once (the row is deleted when the code opens
 * the session), for 10 minutes, and only while the password it was started
 * with is the account's password. It is not a session: the guards never read
 * it, so every protected route stays closed until the code is entered.
 */

export const PENDING_LOGIN_MAX_AGE_MS = 10 * 60 * 1000;
export const TWO_FACTOR_PATH = "/login/two-factor";

export type PendingLogin = {
  idHash: string;
  userId: number;
  remember: boolean;
  redirectTo: string | null;
  expiresAt: number;
  /** The first factor: the session will be signed in with this plus a code. */
  method: FirstFactor;
};

let cookie: ReturnType<typeof appCookie> | undefined;

function pendingCookie() {
  cookie ??= appCookie("_2fa", { path: "/login", maxAgeSeconds: PENDING_LOGIN_MAX_AGE_MS / 1000 });
  return cookie;
}

/**
 * After a correct password for a user with two-factor: stores the pending login
 * and asks for the code. The password hash is read afresh, since the login may
 * just have upgraded it (BCRYPT_COST).
 */
export async function redirectToSecondFactor(
  {
    userId,
    remember,
    redirectTo,
    method = "password",
  }: { userId: number; remember: boolean; redirectTo?: string | null; method?: FirstFactor },
  now = Date.now(),
): Promise<Response> {
  const id = randomToken();
  await db.transaction().execute(async (trx) => {
    const user = await trx.selectFrom("users").select("password_hash").where("id", "=", userId).executeTakeFirstOrThrow();
    await trx.deleteFrom("pending_logins").where("user_id", "=", userId).where("expires_at", "<=", now).execute();
    await trx
      .insertInto("pending_logins")
      .values({
        id_hash: sha256Hex(id),
        user_id: userId,
        password_fingerprint: passwordFingerprint(user.password_hash),
        remember: remember ? 1 : 0,
        redirect_to: storedRedirect(redirectTo),
        method,
        created_at: now,
        expires_at: now + PENDING_LOGIN_MAX_AGE_MS,
      })
      .execute();
  });
  return redirect(TWO_FACTOR_PATH, { headers: { "Set-Cookie": await pendingCookie().serialize(id) } });
}

/**
 * The request's pending login and its (active) user, or null when there is none,
 * the cookie is forged, it was used, it expired, or the password changed since.
 * Changes nothing.
 */
export async function readPendingLogin(request: Request, now = Date.now()): Promise<{ pending: PendingLogin; user: User } | null> {
  let id: unknown;
  try {
    id = await pendingCookie().parse(request.headers.get("Cookie"));
  } catch {
    return null;
  }
  if (typeof id !== "string" || id.length === 0 || id.length > 100) return null;
  const row = await db.selectFrom("pending_logins").selectAll().where("id_hash", "=", sha256Hex(id)).executeTakeFirst();
  if (!row || now >= row.expires_at) return null;
  const user = await db.selectFrom("users").selectAll().where("id", "=", row.user_id).executeTakeFirst();
  if (!user || !user.active || passwordFingerprint(user.password_hash) !== row.password_fingerprint) return null;
  return {
    pending: {
      idHash: row.id_hash,
      userId: row.user_id,
      remember: row.remember === 1,
      redirectTo: row.redirect_to,
      expiresAt: row.expires_at,
      method: row.method as FirstFactor,
    },
    user,
  };
}

/** Uses up a pending login: true exactly once, also for parallel submissions (one DELETE wins). */
export async function consumePendingLogin(pending: PendingLogin, now = Date.now()): Promise<boolean> {
  const result = await db
    .deleteFrom("pending_logins")
    .where("id_hash", "=", pending.idHash)
    .where("expires_at", ">", now)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** Housekeeping: removes pending logins past their expiry, in small batches. */
export async function deleteExpiredPendingLogins(now = Date.now(), { batchSize = 500 }: { batchSize?: number } = {}): Promise<number> {
  return deleteInBatches(batchSize, () =>
    db
      .deleteFrom("pending_logins")
      .where("id_hash", "in", (eb) => eb.selectFrom("pending_logins").select("id_hash").where("expires_at", "<=", now).limit(batchSize))
      .executeTakeFirstOrThrow(),
  );
}

/** A Set-Cookie value that ends the pending login. */
export function clearPendingLoginCookie(): Promise<string> {
  return pendingCookie().serialize("", { maxAge: 0, expires: new Date(0) });
}
