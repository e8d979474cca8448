import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { type FormEvent, useState } from "react";
import { z } from "zod";
import { requestOrigin } from "~/activity/activity.server";
import { requireAuth, requireFreshLogin } from "~/auth/guards.server";
import { createPasskey, passkeyErrorMessage, usePasskeySupport } from "~/auth/passkey-client";
import { listPasskeys, PasskeyError, passkeyRefusalMessage, recordPasskeyRefusal, registerPasskey, removePasskeys, renamePasskey } from "~/auth/passkeys.server";
import { isFresh } from "~/auth/sessions.server";
import { LastSignInMethodError } from "~/auth/ways-in.server";
import { type FieldErrors, nameField, parseForm, readFormData } from "~/auth/validation";
import { Field, FormError } from "~/components/field";
import { redirectWithFlash } from "~/flash.server";
import { formatTime } from "~/utils/format-time";
import { rowId } from "~/utils/row-id";
import { i18nOf } from "~/i18n/i18n.server";
import { settingsTitleMeta, useT } from "~/i18n/i18n";

export const meta: MetaFunction = ({ matches }) => [settingsTitleMeta(matches, "settings.passkeys")];

const passkeyId = rowId("passkeys.unknown");
const AddSchema = z.object({
  name: nameField,
  response: z.string({ message: "passkeys.needsJs" }).min(1, "passkeys.needsJs"),
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
  const { t } = i18nOf({ request, context });
  const fail = (error: string | null, fieldErrors: FieldErrors = {}, status = 400) => data({ intent, error, fieldErrors }, { status });

  if (intent === "add") {
    // A new way to sign in is sensitive: the password must have been entered recently.
    await requireFreshLogin({ request, context });
    const parsed = parseForm(form, AddSchema, t);
    if (!parsed.success) return fail(parsed.errors.response ?? null, parsed.errors);
    try {
      await registerPasskey(user.id, parsed.data.name, parsed.data.response, origin);
    } catch (error) {
      if (!(error instanceof PasskeyError)) throw error;
      await recordPasskeyRefusal(error, "register", origin);
      return fail(passkeyRefusalMessage(error, t));
    }
    return redirectWithFlash(PAGE, { category: "success", message: t("passkeys.added", { name: parsed.data.name }) });
  }

  if (intent === "rename") {
    const parsed = parseForm(form, RenameSchema, t);
    if (!parsed.success) return fail(parsed.errors.passkeyId ?? null, parsed.errors);
    if (!(await renamePasskey(user.id, parsed.data.passkeyId, parsed.data.name, origin))) throw data(t("passkeys.noSuch"), { status: 404 });
    return redirectWithFlash(PAGE, { category: "success", message: t("passkeys.renamed", { name: parsed.data.name }) });
  }

  if (intent === "delete") {
    await requireFreshLogin({ request, context });
    const parsed = parseForm(form, DeleteSchema, t);
    if (!parsed.success) return fail(parsed.errors.passkeyId ?? null, parsed.errors);
    // Another user's passkey is not found: nothing tells them apart.
    let removed: string[];
    try {
      removed = await removePasskeys(user.id, parsed.data.passkeyId, { actorId: user.id, origin, keepOneWayIn: true });
    } catch (error) {
      if (error instanceof LastSignInMethodError) return fail(t("waysIn.last"), {}, 409);
      throw error;
    }
    if (removed.length === 0) throw data(t("passkeys.noSuch"), { status: 404 });
    return redirectWithFlash(PAGE, {
      category: "success",
      message: t("passkeys.removed", { name: removed[0]! }),
    });
  }

  return fail(t("form.unknownAction"));
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
      <h1 id="passkeys-title">{t("settings.passkeys")}</h1>
      <p>{t("passkeys.intro")}</p>
      <FormError message={actionData?.error ?? clientError} />

      <h2>{t("passkeys.yours")}</h2>
      {passkeys.length === 0 ? (
        <p>{t("passkeys.none")}</p>
      ) : (
        <ul className="device-list" aria-label={t("passkeys.yours")}>
          {passkeys.map((passkey) => (
            <li key={passkey.id} className="device" aria-labelledby={`passkey-${passkey.id}`}>
              <h3 id={`passkey-${passkey.id}`}>
                {passkey.name}
                {passkey.synced ? <span className="badge">{t("passkeys.synced")}</span> : null}
              </h3>
              <dl className="facts">
                <dt>{t("passkeys.created")}</dt>
                <dd>
                  <time dateTime={new Date(passkey.createdAt).toISOString()}>{formatTime(passkey.createdAt)}</time>
                </dd>
                <dt>{t("passkeys.lastUsed")}</dt>
                <dd>
                  {passkey.lastUsedAt === null ? t("passkeys.never") : <time dateTime={new Date(passkey.lastUsedAt).toISOString()}>{formatTime(passkey.lastUsedAt)}</time>}
                </dd>
              </dl>
              <Form method="post" className="inline-form">
                <input type="hidden" name="intent" value="rename" />
                <input type="hidden" name="passkeyId" value={passkey.id} />
                <Field label={t("passkeys.newName", { name: passkey.name })} id={`rename-${passkey.id}`} name="name" required maxLength={100} defaultValue={passkey.name} />
                <button type="submit" className="button" disabled={busy}>
                  {t("passkeys.rename")}
                </button>
              </Form>
              <Form method="post">
                <input type="hidden" name="intent" value="delete" />
                <input type="hidden" name="passkeyId" value={passkey.id} />
                <button type="submit" className="button danger" disabled={busy} aria-label={t("passkeys.removeNamed", { name: passkey.name })}>
                  {t("passkeys.remove")}
                </button>
              </Form>
            </li>
          ))}
        </ul>
      )}

      <Form method="post" className="stack" noValidate onSubmit={add}>
        <h2>{t("passkeys.add")}</h2>
        {supported === null ? <p className="hint">{t("passkeys.needsJsHint")}</p> : null}
        {supported === false ? <p className="hint">{t("passkeys.unsupported")}</p> : null}
        {fresh ? null : <p className="hint">{t("passkeys.asksPassword")}</p>}
        <input type="hidden" name="intent" value="add" />
        <Field label={t("form.name")} name="name" required maxLength={100} hint={t("passkeys.nameHint")} error={addErrors.name} />
        <button type="submit" className="button primary" disabled={busy || creating || supported === false}>
          {creating ? t("passkeys.waiting") : t("passkeys.add")}
        </button>
      </Form>
    </section>
  );
}
