import type { AppLoadContext } from "@remix-run/node";
import { sql } from "kysely";
import { databaseDialect, db, type DB } from "~/db.server";

/**
 * The activity log: append-only, one row per security-relevant event.
 * Never put secrets in `details` (passwords, tokens, codes, session ids).
 */

export const ACTIVITY_TYPES = [
  "registered",
  "login_succeeded",
  "login_failed",
  "logout",
  "reauthenticated",
  "reauthentication_failed",
  "session_revoked",
  "sessions_revoked",
  "password_changed",
  "password_reset_requested",
  "password_reset",
  "email_confirmed",
  "email_change_requested",
  "email_changed",
  "email_change_cancelled",
  "two_factor_enabled",
  "two_factor_disabled",
  "two_factor_reset",
  "two_factor_failed",
  "recovery_codes_regenerated",
  "recovery_code_used",
  "lockout",
  "role_changed",
  "user_created",
  "user_updated",
  "user_activated",
  "user_deactivated",
  "user_deleted",
  "account_deleted",
  "session_protection_triggered",
  "api_token_created",
  "api_token_revoked",
  "api_token_new_address",
  "api_token_refused",
  "identity_linked",
  "identity_unlinked",
  "provider_sign_in_refused",
  "passkey_added",
  "passkey_renamed",
  "passkey_removed",
  "passkey_refused",
] as const;

export type ActivityType = (typeof ACTIVITY_TYPES)[number];

export type ActivityEvent = {
  type: ActivityType;
  /** Who did it; null for anonymous (a failed login for an unknown email). */
  actorId: number | null;
  /** Whom it concerns; defaults to the actor. */
  subjectId?: number | null;
  details?: Record<string, string | number | boolean | null>;
};

/** Where an event came from: the address the server trusts and the browser's user agent (empty for the command line). */
export type ActivityOrigin = { ip: string; userAgent: string };

/** Where a request came from, for the log. */
export function requestOrigin(request: Request, context: Pick<AppLoadContext, "clientIp">): ActivityOrigin {
  return { ip: context.clientIp ?? "", userAgent: (request.headers.get("User-Agent") ?? "").slice(0, 512) };
}

/** Writes an event's record; app code announces events instead (app/events/events.server.ts), which calls this. */
export async function recordActivity(
  event: ActivityEvent,
  origin: ActivityOrigin = { ip: "", userAgent: "" },
  now = Date.now(),
  /** A transaction to write in, when the event must stand or fall with a change. */
  executor: DB = db,
): Promise<void> {
  await executor
    .insertInto("activity")
    .values({
      created_at: now,
      type: event.type,
      actor_id: event.actorId,
      subject_id: event.subjectId === undefined ? event.actorId : event.subjectId,
      ip: origin.ip.slice(0, 64),
      user_agent: origin.userAgent.slice(0, 512),
      details: JSON.stringify(event.details ?? {}),
    })
    .execute();
}

/**
 * Removes a departing account's personal data from the log before its user row
 * is deleted (the rows stay; ON DELETE SET NULL clears actor and subject): the
 * address and browser of its own and anonymous actions about it, and any
 * details that mention its email or name.
 */
export async function scrubActivityOf(user: { id: number; email: string; name: string }, trx: DB = db): Promise<void> {
  // Anonymous entries about the account (a reset request, a failed login) most likely came from its owner too.
  await trx
    .updateTable("activity")
    .set({ ip: "", user_agent: "" })
    .where((eb) => eb.or([eb("actor_id", "=", user.id), eb.and([eb("actor_id", "is", null), eb("subject_id", "=", user.id)])]))
    .execute();
  // Compare as stored: JSON-escaped, case-folded. (PostgreSQL calls instr strpos.)
  const position = sql.raw(databaseDialect() === "postgres" ? "strpos" : "instr");
  const needles = [user.email, user.name].map((value) => JSON.stringify(value).slice(1, -1));
  await trx
    .updateTable("activity")
    .set({ details: "{}" })
    .where((eb) => eb.or([eb("actor_id", "=", user.id), eb("subject_id", "=", user.id)]))
    .where((eb) => eb.or(needles.map((needle) => eb(sql<number>`${position}(lower(details), lower(${needle}))`, ">", 0))))
    .execute();
}
