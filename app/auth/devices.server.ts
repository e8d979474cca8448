import { UAParser } from "ua-parser-js";
import type { ActivityEvent, ActivityOrigin } from "~/activity/activity.server";
import { revokeApiTokensOfUser } from "~/api/api-tokens.server";
import { db, type SessionRow } from "~/db.server";
import { announce } from "~/events/events.server";
import { deleteSessionsOfUser, isFresh, sessionEndReason } from "./sessions.server";
import { providerLabel } from "./oidc/providers.server";
import { signInMethodLabel } from "./sign-in-method";
import { i18nFor } from "~/i18n/i18n.server";
import type { Translate } from "~/i18n/translate";

/**
 * The devices page: a user's own live sessions, described from their user
 * agent, and their revocation. A session is named by its public id, never by
 * its id or hash; every query is scoped by the owner, so another user's
 * session is simply not found.
 */

export type Device = {
  publicId: string;
  /** "Firefox 128 on Ubuntu" */
  description: string;
  ip: string;
  createdAt: number;
  lastSeenAt: number;
  remember: boolean;
  /** "Password and code", "Passkey", … (app/auth/sign-in-method.ts) */
  signedInWith: string;
  current: boolean;
  /** For the current session: until when sensitive pages open without the password (null: not fresh). */
  freshUntil: number | null;
};

/**
 * "Chrome 120 on macOS", from a User-Agent header. A client the parser does
 * not know (a script, a CLI) shows the start of its user agent as it is.
 */
export function describeUserAgent(userAgent: string, t: Translate = i18nFor("en").t): string {
  const { browser, os } = UAParser(userAgent);
  const raw = userAgent.trim().slice(0, 40);
  const name = browser.name ? [browser.name, browser.major].filter(Boolean).join(" ") : raw || t("device.unknown");
  return os.name ? t("device.on", { browser: name, os: os.name }) : name;
}

/** The user's live sessions, this one first, then the most recently active. */
export async function listDevices(
  userId: number,
  current: SessionRow,
  freshLoginMaxAge: number,
  now = Date.now(),
  t: Translate = i18nFor("en").t,
): Promise<Device[]> {
  const rows = await db.selectFrom("sessions").selectAll().where("user_id", "=", userId).orderBy("last_seen_at", "desc").execute();
  return rows
    .filter((row) => sessionEndReason(row, now) === null)
    .map((row) => {
      const isCurrent = row.public_id === current.public_id;
      return {
        publicId: row.public_id,
        description: describeUserAgent(row.user_agent, t),
        ip: row.ip,
        createdAt: row.created_at,
        lastSeenAt: isCurrent ? now : row.last_seen_at,
        remember: row.remember === 1,
        signedInWith: signInMethodLabel(row.method, t, providerLabel),
        current: isCurrent,
        freshUntil: isCurrent && isFresh(row, now) && row.fresh_at !== null ? row.fresh_at + freshLoginMaxAge : null,
      };
    })
    .sort((a, b) => Number(b.current) - Number(a.current));
}

/** One of the user's sessions by its public id; undefined when it is not theirs or does not exist. */
export function findDevice(userId: number, publicId: string): Promise<SessionRow | undefined> {
  return db.selectFrom("sessions").selectAll().where("user_id", "=", userId).where("public_id", "=", publicId).executeTakeFirst();
}

/** Ends one session of the user's (not the current one: that is a logout) and records it. */
export async function revokeDevice(userId: number, device: SessionRow, origin: ActivityOrigin): Promise<void> {
  await db.deleteFrom("sessions").where("user_id", "=", userId).where("public_id", "=", device.public_id).execute();
  await announce(
    { type: "session_revoked", actorId: userId, details: { device: describeUserAgent(device.user_agent), ip: device.ip } },
    origin,
  );
}

/** Ends every session of the user except the current one; returns how many ended. */
export async function revokeOtherDevices(userId: number, current: SessionRow, origin: ActivityOrigin): Promise<number> {
  const count = await deleteSessionsOfUser(userId, { exceptPublicId: current.public_id });
  if (count > 0) await announce({ type: "sessions_revoked", actorId: userId, details: { count } }, origin);
  return count;
}

/**
 * Ends every session of a user and revokes their API tokens, as an
 * administrator ("end all sessions" in the admin area): the user is anonymous
 * at their next request, with a browser or a token. An administrator ending
 * their own sessions keeps the one in use (`exceptPublicId`).
 */
export async function endAllSessionsOfUser(
  { actorId, userId, exceptPublicId }: { actorId: number; userId: number; exceptPublicId?: string },
  origin: ActivityOrigin,
): Promise<{ sessions: number; tokens: number }> {
  const sessions = await deleteSessionsOfUser(userId, { exceptPublicId });
  const tokens = await revokeApiTokensOfUser(db, userId);
  const event: ActivityEvent = { type: "sessions_revoked", actorId, subjectId: userId, details: { count: sessions, all: !exceptPublicId, tokensRevoked: tokens } };
  await announce(event, origin);
  return { sessions, tokens };
}
