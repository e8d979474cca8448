import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, methodNotAllowed, readJsonBody, readQuery } from "~/api/responses.server";
import { NoteCreateSchema, NoteListQuerySchema, noteToJson } from "~/api/schemas";
import { requireApiScope } from "~/auth/guards.server";
import { createNote, listNotesPage } from "~/notes/notes.server";

/** GET /api/v1/notes (?cursor=&limit=): the token owner's notes, newest first. POST: a new note. */

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requireApiScope({ request, context }, "notes:read");
  const { cursor, limit } = readQuery(request, NoteListQuerySchema);
  const page = await listNotesPage(user.id, { before: cursor === undefined ? undefined : Number(cursor), limit });
  const next = page.next === null ? null : String(page.next);
  return apiJson({ items: page.notes.map(noteToJson), next, nextCursor: next });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requireApiScope({ request, context }, "notes:write");
  if (request.method !== "POST") return methodNotAllowed(request, ["GET", "POST"]);
  const input = await readJsonBody(request, NoteCreateSchema);
  const note = await createNote(user.id, input);
  return apiJson(noteToJson(note), 201, { Location: `/api/v1/notes/${note.id}` });
}
