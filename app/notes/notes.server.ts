import { db, type Note } from "~/db.server";
import { rowId } from "~/utils/row-id";

/**
 * The example resource of the protected area. Every query is scoped by the
 * owner, so another user's note id is simply not found (no IDOR).
 */

const NoteId = rowId();

/** The `:noteId` route parameter as a number; anything else is a 404 (as is another user's note). */
export function noteIdOrNotFound(param: string | undefined): number {
  const parsed = NoteId.safeParse(param);
  if (!parsed.success) throw new Response("Note not found", { status: 404 });
  return parsed.data;
}

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

/** One page of the user's notes, newest first, after the note `before` (a keyset cursor: stable while notes are added). */
export async function listNotesPage(userId: number, { before, limit }: { before?: number; limit: number }): Promise<{ notes: Note[]; next: number | null }> {
  let query = db.selectFrom("notes").selectAll().where("user_id", "=", userId);
  if (before !== undefined) query = query.where("id", "<", before);
  const rows = await query.orderBy("id", "desc").limit(limit + 1).execute();
  const notes = rows.slice(0, limit);
  return { notes, next: rows.length > limit ? notes.at(-1)!.id : null };
}

/** Changes a note's title and/or text; undefined when the user has no such note. */
export function updateNote(userId: number, noteId: number, changes: { title?: string; body?: string }): Promise<Note | undefined> {
  return db
    .updateTable("notes")
    .set(changes)
    .where("user_id", "=", userId)
    .where("id", "=", noteId)
    .returningAll()
    .executeTakeFirst();
}
