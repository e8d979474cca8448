import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, NavLink, Outlet, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { requireUser } from "~/auth/guards.server";
import { NoteSchema, parseForm, readFormData } from "~/auth/validation";
import { Field } from "~/components/field";
import { createNote, listNotes } from "~/notes/notes.server";
import { i18nOf } from "~/i18n/i18n.server";
import { titleMeta, useT } from "~/i18n/i18n";

export const meta: MetaFunction = ({ matches }) => [titleMeta(matches, "notes.title")];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser({ request, context });
  return { notes: await listNotes(user.id) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser({ request, context });
  const parsed = parseForm(await readFormData(request), NoteSchema, i18nOf({ request, context }).t);
  if (!parsed.success) return data({ fieldErrors: parsed.errors }, { status: 400 });
  const note = await createNote(user.id, parsed.data);
  return redirect(`/dashboard/notes/${note.id}`);
}

export default function NotesLayout() {
  const { notes } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting";
  const form = useRef<HTMLFormElement>(null);
  const adding = useRef(false);
  const t = useT();
  // With JavaScript the form stays on the page after "Add note": empty it once the
  // note was added (the action redirected; no field errors came back).
  useEffect(() => {
    if (navigation.state === "submitting" && navigation.formAction === "/dashboard/notes") adding.current = true;
    else if (navigation.state === "idle" && adding.current) {
      adding.current = false;
      if (!actionData?.fieldErrors) form.current?.reset();
    }
  }, [navigation.state, navigation.formAction, actionData]);
  return (
    <section aria-labelledby="notes-title" className="notes">
      <h1 id="notes-title">{t("notes.title")}</h1>
      <div className="notes-grid">
        <div>
          {notes.length === 0 ? (
            <p>{t("notes.none")}</p>
          ) : (
            <ul className="note-list">
              {notes.map((note) => (
                <li key={note.id}>
                  {/* The open note is marked: aria-current="page" (NavLink). */}
                  <NavLink to={`/dashboard/notes/${note.id}`}>{note.title}</NavLink>
                </li>
              ))}
            </ul>
          )}
          <Form method="post" action="/dashboard/notes" className="stack" noValidate ref={form}>
            <h2>{t("notes.new")}</h2>
            <Field label={t("notes.titleField")} name="title" required maxLength={200} error={actionData?.fieldErrors.title} />
            <div className="field">
              <label htmlFor="body">{t("notes.text")}</label>
              <textarea id="body" name="body" rows={4} maxLength={10000} />
              {actionData?.fieldErrors.body ? <p className="field-error">{actionData.fieldErrors.body}</p> : null}
            </div>
            <button type="submit" className="button primary" disabled={submitting}>
              {t("notes.add")}
            </button>
          </Form>
        </div>
        <Outlet />
      </div>
    </section>
  );
}
