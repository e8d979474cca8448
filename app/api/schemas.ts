import { z } from "zod";
import { noteBodyField, noteTitleField } from "~/auth/validation";
import { MAX_ROW_ID, rowId } from "~/utils/row-id";

/**
 * The JSON API's shapes, in one place: the routes validate with them and the
 * OpenAPI document (openapi.server.ts) is generated from them, so the two
 * cannot drift apart. Names in `.meta({ id })` become the document's schemas.
 */

export const ApiUserSchema = z
  .object({
    id: z.number().int(),
    email: z.string(),
    name: z.string(),
    roles: z.array(z.string()),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: "User", description: "The token's owner." });

export const ApiNoteSchema = z
  .object({
    id: z.number().int(),
    title: z.string(),
    body: z.string(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: "Note" });

const CURSOR_MESSAGE = "Not a valid cursor: pass the `next` value of the previous page.";
const cursorField = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/, CURSOR_MESSAGE)
  .refine((cursor) => Number(cursor) <= MAX_ROW_ID, CURSOR_MESSAGE)
  .nullable();

export const NoteListSchema = z
  .object({
    items: z.array(ApiNoteSchema),
    next: cursorField.meta({ description: "Pass as `cursor` for the next page; null on the last page." }),
    nextCursor: cursorField.meta({ description: "The same value as `next`." }),
  })
  .meta({ id: "NoteList", description: "One page of notes, newest first." });

export const ApiErrorSchema = z
  .object({
    error: z.string(),
    fields: z.record(z.string(), z.string()).optional().meta({ description: "A message per invalid field." }),
    scope: z.string().optional().meta({ description: "The scope the token lacks (403)." }),
  })
  .meta({ id: "Error" });

export const NOTE_PAGE_SIZE = 20;
export const NOTE_PAGE_MAX = 100;

export const NoteListQuerySchema = z.object({
  cursor: cursorField.unwrap().optional(),
  limit: z.coerce
    .number({ message: `The limit must be a whole number from 1 to ${NOTE_PAGE_MAX}.` })
    .int(`The limit must be a whole number from 1 to ${NOTE_PAGE_MAX}.`)
    .min(1, `The limit must be a whole number from 1 to ${NOTE_PAGE_MAX}.`)
    .max(NOTE_PAGE_MAX, `The limit must be a whole number from 1 to ${NOTE_PAGE_MAX}.`)
    .default(NOTE_PAGE_SIZE),
});

export const NoteCreateSchema = z.strictObject({ title: noteTitleField, body: noteBodyField.default("") }).meta({ id: "NoteCreate" });

export const NotePatchSchema = z
  .strictObject({ title: noteTitleField.optional(), body: noteBodyField.optional() })
  .refine((patch) => patch.title !== undefined || patch.body !== undefined, { message: "Send `title`, `body` or both." })
  .meta({ id: "NotePatch", minProperties: 1 });

/** A note id in a path: anything else is simply not found. */
export const NoteIdSchema = rowId();

export type ApiUser = z.infer<typeof ApiUserSchema>;
export type ApiNote = z.infer<typeof ApiNoteSchema>;

/** A stored note as the API shows it. */
export function noteToJson(note: { id: number; title: string; body: string; created_at: number }): ApiNote {
  return { id: note.id, title: note.title, body: note.body, createdAt: new Date(note.created_at).toISOString() };
}

/** The signed-in user as the API shows them. */
export function userToJson(user: { id: number; email: string; name: string; roles: string[]; created_at: number }): ApiUser {
  return { id: user.id, email: user.email, name: user.name, roles: user.roles, createdAt: new Date(user.created_at).toISOString() };
}
