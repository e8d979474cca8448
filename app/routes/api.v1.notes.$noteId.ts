import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, methodNotAllowed, notFound, readJsonBody } from "~/api/responses.server";
import { NoteIdSchema, NotePatchSchema, noteToJson } from "~/api/schemas";
import { requireApiScope } from "~/auth/guards.server";
import { deleteNote, findNote, updateNote } from "~/notes/notes.server";

/**
 * GET, PATCH, DELETE /api/v1/notes/:noteId. Every query is scoped by the
 * token's owner: another user's note, a deleted one and a malformed id are all
 * the same 404.
 */

const NOTE_NOT_FOUND = "There is no such note.";

function noteIdOrNotFound(param: string | undefined): number {
  const parsed = NoteIdSchema.safeParse(param);
  if (!parsed.success) throw notFound(NOTE_NOT_FOUND);
  return parsed.data;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { user } = await requireApiScope({ request, context }, "notes:read");
  const note = await findNote(user.id, noteIdOrNotFound(params.noteId));
  if (!note) throw notFound(NOTE_NOT_FOUND);
  return apiJson(noteToJson(note));
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user } = await requireApiScope({ request, context }, "notes:write");
  const noteId = noteIdOrNotFound(params.noteId);
  switch (request.method) {
    case "PATCH": {
      const changes = await readJsonBody(request, NotePatchSchema);
      const note = await updateNote(user.id, noteId, changes);
      if (!note) throw notFound(NOTE_NOT_FOUND);
      return apiJson(noteToJson(note));
    }
    case "DELETE": {
      if (!(await deleteNote(user.id, noteId))) throw notFound(NOTE_NOT_FOUND);
      return new Response(null, { status: 204 });
    }
    default:
      return methodNotAllowed(request, ["GET", "PATCH", "DELETE"]);
  }
}
