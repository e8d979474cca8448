import { db } from "~/db.server";
import type { ActivityType } from "./activity.server";

/**
 * Reads the activity log, newest first, one page at a time. Shared by a
 * user's own activity page and the admin audit page. Pages are found with
 * LIMIT/OFFSET on the primary key and an extra row tells whether there is a
 * next page, so a large log is never counted.
 */

export const ACTIVITY_PAGE_SIZE = 25;

export type ActivityEntry = {
  id: number;
  createdAt: number;
  type: string;
  actorId: number | null;
  actorEmail: string | null;
  subjectId: number | null;
  subjectEmail: string | null;
  ip: string;
  userAgent: string;
  details: Record<string, unknown>;
};

export type ActivityFilter = {
  /** Events where this user is the actor or the subject. */
  userId?: number;
  type?: ActivityType;
  /** 1-based. */
  page?: number;
  pageSize?: number;
};

export async function listActivity({
  userId,
  type,
  page = 1,
  pageSize = ACTIVITY_PAGE_SIZE,
}: ActivityFilter): Promise<{ entries: ActivityEntry[]; page: number; hasNext: boolean }> {
  let query = db
    .selectFrom("activity")
    .leftJoin("users as actor", "actor.id", "activity.actor_id")
    .leftJoin("users as subject", "subject.id", "activity.subject_id")
    .select([
      "activity.id",
      "activity.created_at",
      "activity.type",
      "activity.actor_id",
      "actor.email as actor_email",
      "activity.subject_id",
      "subject.email as subject_email",
      "activity.ip",
      "activity.user_agent",
      "activity.details",
    ]);
  if (userId !== undefined) {
    query = query.where((eb) => eb.or([eb("activity.actor_id", "=", userId), eb("activity.subject_id", "=", userId)]));
  }
  if (type !== undefined) query = query.where("activity.type", "=", type);
  const rows = await query
    .orderBy("activity.id", "desc")
    .limit(pageSize + 1)
    .offset((page - 1) * pageSize)
    .execute();
  return {
    page,
    hasNext: rows.length > pageSize,
    entries: rows.slice(0, pageSize).map((row) => ({
      id: row.id,
      createdAt: row.created_at,
      type: row.type,
      actorId: row.actor_id,
      actorEmail: row.actor_email,
      subjectId: row.subject_id,
      subjectEmail: row.subject_email,
      ip: row.ip,
      userAgent: row.user_agent,
      details: parseDetails(row.details),
    })),
  };
}

function parseDetails(json: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
