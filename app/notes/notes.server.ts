import { db, type Note } from "~/db.server";

/**
 * The example resource of the protected area. Every query is scoped by the
 * owner, so another user's note id is simply not found (no IDOR).
 */

export function listNotes(userId: number): Promise<Pick<Note, "id" | "title">[]> {
  return db.selectFrom("notes").select(["id", "title"]).where("user_id", "=", userId).orderBy("id", "desc").limit(100).execute();
}

export function findNote(userId: number, noteId: number): Promise<Note | undefined> {
  return db.selectFrom("notes").selectAll().where("user_id", "=", userId).where("id", "=", noteId).executeTakeFirst();
}

export function createNote(userId: number, input: { title: string; body: string }, now = Date.now()): Promise<Note> {
  return db
    .insertInto("notes")
    .values({ user_id: userId, title: input.title, body: input.body, created_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteNote(userId: number, noteId: number): Promise<boolean> {
  const result = await db.deleteFrom("notes").where("user_id", "=", userId).where("id", "=", noteId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
