import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { type FormEvent, useState } from "react";
import { useT } from "~/i18n/i18n";
import { z } from "zod";
import { requestOrigin } from "~/activity/activity.server";
import { requireAuth, requireFreshLogin } from "~/auth/guards.server";
import { createPasskey, passkeyErrorMessage, usePasskeySupport } from "~/auth/passkey-client";
import { listPasskeys, PasskeyError, recordPasskeyRefusal, registerPasskey, removePasskeys, renamePasskey } from "~/auth/passkeys.server";
import { isFresh } from "~/auth/sessions.server";
import { type FieldErrors, nameField, parseForm, readFormData } from "~/auth/validation";
import { Field, FormError } from "~/components/field";
import { redirectWithFlash } from "~/flash.server";
import { formatTime } from "~/utils/format-time";
import { i18nOf } from "~/i18n/i18n.server";

export const meta: MetaFunction = () => [{ title: "Passkeys · Settings · Remix Auth Kit" }];

const passkeyId = z.coerce
  .number({ message: "Unknown passkey." })
  .int("Unknown passkey.")
  .positive("Unknown passkey.")
  .max(Number.MAX_SAFE_INTEGER, "Unknown passkey.");
const AddSchema = z.object({
  name: nameField,
  response: z.string({ message: "Adding a passkey needs JavaScript: turn it on and try again." }).min(1, "Adding a passkey needs JavaScript: turn it on and try again."),
});
const RenameSchema = z.object({ passkeyId, name: nameField });
const DeleteSchema = z.object({ passkeyId });

const PAGE = "/settings/passkeys";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, session } = await requireAuth({ request, context });
  return { passkeys: await listPasskeys(user.id), fresh: isFresh(session) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requireAuth({ request, context });
  const form = await readFormData(request);
  const intent = form.get("intent");
  const origin = requestOrigin(request, context);
  const fail = (error: string | null, fieldErrors: FieldErrors = {}) => data({ intent, error, fieldErrors }, { status: 400 });

  if (intent === "add") {
    // A new way to sign in is sensitive: the password must have been entered recently.
    await requireFreshLogin({ request, context });
    const parsed = parseForm(form, AddSchema, i18nOf({ request, context }).t);
    if (!parsed.success) return fail(parsed.errors.response ?? null, parsed.errors);
    try {
      await registerPasskey(user.id, parsed.data.name, parsed.data.response, origin);
    } catch (error) {
      if (!(error instanceof PasskeyError)) throw error;
      await recordPasskeyRefusal(error, "register", origin);
      return fail(error.message);
    }
    return redirectWithFlash(PAGE, { category: "success", message: `Passkey “${parsed.data.name}” added. You can sign in with it now.` });
  }

  if (intent === "rename") {
    const parsed = parseForm(form, RenameSchema, i18nOf({ request, context }).t);
    if (!parsed.success) return fail(parsed.errors.passkeyId ?? null, parsed.errors);
    if (!(await renamePasskey(user.id, parsed.data.passkeyId, parsed.data.name, origin))) throw data("There is no such passkey.", { status: 404 });
    return redirectWithFlash(PAGE, { category: "success", message: `Passkey renamed to “${parsed.data.name}”.` });
  }

  if (intent === "delete") {
    await requireFreshLogin({ request, context });
    const parsed = parseForm(form, DeleteSchema, i18nOf({ request, context }).t);
    if (!parsed.success) return fail(parsed.errors.passkeyId ?? null, parsed.errors);
    // Another user's passkey is not found: nothing tells them apart.
    const removed = await removePasskeys(user.id, parsed.data.passkeyId, { actorId: user.id, origin });
    if (removed.length === 0) throw data("There is no such passkey.", { status: 404 });
    return redirectWithFlash(PAGE, {
      category: "success",
      message: `Passkey “${removed[0]}” removed. Also remove it from the device or password manager that holds it.`,
    });
  }

  return fail("Unknown action.");
}

export default function PasskeysPage() {
  const { passkeys, fresh } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const supported = usePasskeySupport();
  const submit = useSubmit();
  const t = useT();
  const [clientError, setClientError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const addErrors: FieldErrors = actionData?.intent === "add" ? actionData.fieldErrors : {};

  async function add(event: FormEvent<HTMLFormElement>) {
    // Not fresh yet: the plain post goes to /reauthenticate and comes back here.
    if (!fresh || !supported) return;
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get("name") ?? "");
    setClientError(null);
    setCreating(true);
    try {
      submit({ intent: "add", name, response: await createPasskey() }, { method: "post" });
    } catch (error) {
      setClientError(passkeyErrorMessage(error, t));
    } finally {
      setCreating(false);
    }
  }

  return (
    <section aria-labelledby="passkeys-title">
      <h1 id="passkeys-title">Passkeys</h1>
      <p>
        A passkey signs you in with your device&apos;s screen lock (fingerprint, face or PIN) instead of your password, and it only works on
        this site, so it cannot be phished. It counts as two factors: no authentication code is asked for.
      </p>
      <FormError message={actionData?.error ?? clientError} />

      <h2>Your passkeys</h2>
      {passkeys.length === 0 ? (
        <p>You have no passkeys.</p>
      ) : (
        <ul className="device-list" aria-label="Your passkeys">
          {passkeys.map((passkey) => (
            <li key={passkey.id} className="device" aria-labelledby={`passkey-${passkey.id}`}>
              <h3 id={`passkey-${passkey.id}`}>
                {passkey.name}
                {passkey.synced ? <span className="badge">Synced</span> : null}
              </h3>
              <dl className="facts">
                <dt>Created</dt>
                <dd>
                  <time dateTime={new Date(passkey.createdAt).toISOString()}>{formatTime(passkey.createdAt)}</time>
                </dd>
                <dt>Last used</dt>
                <dd>
                  {passkey.lastUsedAt === null ? "Never" : <time dateTime={new Date(passkey.lastUsedAt).toISOString()}>{formatTime(passkey.lastUsedAt)}</time>}
                </dd>
              </dl>
              <Form method="post" className="inline-form">
                <input type="hidden" name="intent" value="rename" />
                <input type="hidden" name="passkeyId" value={passkey.id} />
                <Field label={`New name for ${passkey.name}`} id={`rename-${passkey.id}`} name="name" required maxLength={100} defaultValue={passkey.name} />
                <button type="submit" className="button" disabled={busy}>
                  Rename
                </button>
              </Form>
              <Form method="post">
                <input type="hidden" name="intent" value="delete" />
                <input type="hidden" name="passkeyId" value={passkey.id} />
                <button type="submit" className="button danger" disabled={busy} aria-label={`Remove ${passkey.name}`}>
                  Remove
                </button>
              </Form>
            </li>
          ))}
        </ul>
      )}

      <Form method="post" className="stack" noValidate onSubmit={add}>
        <h2>Add a passkey</h2>
        {supported === null ? <p className="hint">Passkeys need JavaScript. Without it, your password keeps working as before.</p> : null}
        {supported === false ? <p className="hint">This browser does not support passkeys.</p> : null}
        {fresh ? null : <p className="hint">Adding or removing a passkey asks for your password first.</p>}
        <input type="hidden" name="intent" value="add" />
        <Field label="Name" name="name" required maxLength={100} hint="Which device or password manager holds it, e.g. “MacBook Touch ID”." error={addErrors.name} />
        <button type="submit" className="button primary" disabled={busy || creating || supported === false}>
          {creating ? "Waiting for your device…" : "Add a passkey"}
        </button>
      </Form>
    </section>
  );
}
