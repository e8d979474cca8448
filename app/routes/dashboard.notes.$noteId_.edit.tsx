import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import { NoteSchema, parseForm, readFormData } from "~/auth/validation";
import { Field } from "~/components/field";
import { redirectWithFlash } from "~/flash.server";
import { findNote, noteIdOrNotFound, updateNote } from "~/notes/notes.server";
import { i18nOf } from "~/i18n/i18n.server";
import { titleMeta, useT } from "~/i18n/i18n";

export const meta: MetaFunction = ({ matches }) => [titleMeta(matches, "notes.edit")];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser({ request, context });
  const note = await findNote(user.id, noteIdOrNotFound(params.noteId));
  if (!note) throw new Response("Note not found", { status: 404 });
  return { note: { id: note.id, title: note.title, body: note.body } };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser({ request, context });
  const noteId = noteIdOrNotFound(params.noteId);
  const { t } = i18nOf({ request, context });
  const parsed = parseForm(await readFormData(request), NoteSchema, t);
  if (!parsed.success) return data({ fieldErrors: parsed.errors }, { status: 400 });
  if (!(await updateNote(user.id, noteId, parsed.data))) throw new Response(t("notes.notFound"), { status: 404 });
  return redirectWithFlash(`/dashboard/notes/${noteId}`, { category: "success", message: t("notes.saved") });
}

export default function EditNotePage() {
  const { note } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const saving = useNavigation().state === "submitting";
  const t = useT();
  return (
    // `key`: moving from one note's edit page to another's starts from that note's text.
    <Form method="post" className="note stack" noValidate aria-labelledby="edit-note-title" key={note.id}>
      <h2 id="edit-note-title">{t("notes.edit")}</h2>
      <Field label={t("notes.titleField")} name="title" id="edit-title" required maxLength={200} defaultValue={note.title} error={actionData?.fieldErrors.title} />
      <div className="field">
        <label htmlFor="edit-body">{t("notes.text")}</label>
        <textarea id="edit-body" name="body" rows={6} maxLength={10000} defaultValue={note.body} />
        {actionData?.fieldErrors.body ? <p className="field-error">{actionData.fieldErrors.body}</p> : null}
      </div>
      <div className="actions">
        <button type="submit" className="button primary" disabled={saving} aria-busy={saving || undefined}>
          {saving ? t("form.saving") : t("notes.save")}
        </button>
        <Link to={`/dashboard/notes/${note.id}`} className="button">
          {t("notes.cancel")}
        </Link>
      </div>
    </Form>
  );
}
