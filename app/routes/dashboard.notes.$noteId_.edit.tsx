import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import { NoteSchema, parseForm, readFormData } from "~/auth/validation";
import { Field } from "~/components/field";
import { redirectWithFlash } from "~/flash.server";
import { findNote, noteIdOrNotFound, updateNote } from "~/notes/notes.server";
import { i18nOf } from "~/i18n/i18n.server";

export const meta: MetaFunction = () => [{ title: "Edit note · Remix Auth Kit" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser({ request, context });
  const note = await findNote(user.id, noteIdOrNotFound(params.noteId));
  if (!note) throw new Response("Note not found", { status: 404 });
  return { note: { id: note.id, title: note.title, body: note.body } };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser({ request, context });
  const noteId = noteIdOrNotFound(params.noteId);
  const parsed = parseForm(await readFormData(request), NoteSchema, i18nOf({ request, context }).t);
  if (!parsed.success) return data({ fieldErrors: parsed.errors }, { status: 400 });
  if (!(await updateNote(user.id, noteId, parsed.data))) throw new Response("Note not found", { status: 404 });
  return redirectWithFlash(`/dashboard/notes/${noteId}`, { category: "success", message: "Note saved." });
}

export default function EditNotePage() {
  const { note } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const saving = useNavigation().state === "submitting";
  return (
    // `key`: moving from one note's edit page to another's starts from that note's text.
    <Form method="post" className="note stack" noValidate aria-labelledby="edit-note-title" key={note.id}>
      <h2 id="edit-note-title">Edit note</h2>
      <Field label="Title" name="title" id="edit-title" required maxLength={200} defaultValue={note.title} error={actionData?.fieldErrors.title} />
      <div className="field">
        <label htmlFor="edit-body">Text</label>
        <textarea id="edit-body" name="body" rows={6} maxLength={10000} defaultValue={note.body} />
        {actionData?.fieldErrors.body ? <p className="field-error">{actionData.fieldErrors.body}</p> : null}
      </div>
      <div className="actions">
        <button type="submit" className="button primary" disabled={saving} aria-busy={saving || undefined}>
          {saving ? "Saving…" : "Save note"}
        </button>
        <Link to={`/dashboard/notes/${note.id}`} className="button">
          Cancel
        </Link>
      </div>
    </Form>
  );
}
