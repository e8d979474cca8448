import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import { redirectWithFlash } from "~/flash.server";
import { deleteNote, findNote, noteIdOrNotFound } from "~/notes/notes.server";
import { readFormData } from "~/auth/validation";
import { useT } from "~/i18n/i18n";
import { i18nOf } from "~/i18n/i18n.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser({ request, context });
  const note = await findNote(user.id, noteIdOrNotFound(params.noteId));
  if (!note) throw new Response("Note not found", { status: 404 });
  return { note: { id: note.id, title: note.title, body: note.body, createdAt: note.created_at } };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser({ request, context });
  const noteId = noteIdOrNotFound(params.noteId);
  const intent = (await readFormData(request)).get("intent");
  const { t } = i18nOf({ request, context });
  if (intent !== "delete") return new Response(t("form.unknownAction"), { status: 400 });
  if (!(await deleteNote(user.id, noteId))) throw new Response(t("notes.notFound"), { status: 404 });
  return redirectWithFlash("/dashboard/notes", { category: "success", message: t("notes.deleted") });
}

export default function NotePage() {
  const { note } = useLoaderData<typeof loader>();
  const t = useT();
  return (
    <article className="note" aria-labelledby="note-title">
      <h2 id="note-title">{note.title}</h2>
      <p className="note-body">{note.body || <em>{t("notes.noText")}</em>}</p>
      <div className="actions">
        <Link to={`/dashboard/notes/${note.id}/edit`} className="button">
          {t("notes.edit")}
        </Link>
        {/* With JavaScript, the browser asks first; without it, the button deletes (a plain POST). */}
        <Form
          method="post"
          onSubmit={(event) => {
            if (!window.confirm(t("notes.confirmDelete", { title: note.title }))) event.preventDefault();
          }}
        >
          <button type="submit" name="intent" value="delete" className="button danger">
            {t("notes.delete")}
          </button>
        </Form>
      </div>
    </article>
  );
}
