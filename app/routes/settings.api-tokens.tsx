import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { requestOrigin } from "~/activity/activity.server";
import { createApiToken, listApiTokens, revokeApiToken, TooManyTokensError } from "~/api/api-tokens.server";
import { API_SCOPE_LABELS, API_SCOPES, DEFAULT_TOKEN_EXPIRY, TOKEN_EXPIRIES, TOKEN_EXPIRY_LABELS } from "~/api/scopes";
import { requireAuth, requireFreshLogin } from "~/auth/guards.server";
import { isFresh } from "~/auth/sessions.server";
import { type FieldErrors, nameField, parseForm, readFormData } from "~/auth/validation";
import { Field, FormError } from "~/components/field";
import { redirectWithFlash } from "~/flash.server";
import { Time } from "~/components/time";
import { i18nOf } from "~/i18n/i18n.server";

export const meta: MetaFunction = () => [{ title: "API tokens · Settings · Remix Auth Kit" }];

const CreateTokenSchema = z.object({
  name: nameField,
  scopes: z.array(z.enum(API_SCOPES, { message: "Choose from the listed scopes." })).min(1, "Choose at least one scope."),
  expiresIn: z.enum(TOKEN_EXPIRIES, { message: "Choose one of the listed expiries." }).default(DEFAULT_TOKEN_EXPIRY),
});

const RevokeTokenSchema = z.object({
  tokenId: z.coerce.number({ message: "Unknown token." }).int("Unknown token.").positive("Unknown token.").max(Number.MAX_SAFE_INTEGER, "Unknown token."),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, session } = await requireAuth({ request, context });
  return { tokens: await listApiTokens(user.id), fresh: isFresh(session) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requireAuth({ request, context });
  const form = await readFormData(request);
  const intent = form.get("intent");
  const origin = requestOrigin(request, context);

  if (intent === "create") {
    // Minting a credential is sensitive: the password must have been entered recently.
    await requireFreshLogin({ request, context });
    const parsed = parseForm(form, CreateTokenSchema, i18nOf({ request, context }).t);
    if (!parsed.success) return data({ intent, fieldErrors: parsed.errors, created: null, error: null }, { status: 400 });
    try {
      const { token, row } = await createApiToken(user.id, parsed.data, origin);
      return data({ intent, fieldErrors: {} as FieldErrors, created: { token, name: row.name }, error: null });
    } catch (error) {
      if (error instanceof TooManyTokensError) return data({ intent, fieldErrors: {} as FieldErrors, created: null, error: error.message }, { status: 400 });
      throw error;
    }
  }

  if (intent === "revoke") {
    const parsed = parseForm(form, RevokeTokenSchema, i18nOf({ request, context }).t);
    if (!parsed.success) return data({ intent, fieldErrors: parsed.errors, created: null, error: parsed.errors.tokenId ?? null }, { status: 400 });
    // Another user's token, or one already revoked, is not found: nothing tells them apart.
    if (!(await revokeApiToken({ userId: user.id, tokenId: parsed.data.tokenId, actorId: user.id }, origin))) {
      throw data("There is no such token.", { status: 404 });
    }
    return redirectWithFlash("/settings/api-tokens", { category: "success", message: "Token revoked. Scripts using it are refused from now on." });
  }

  return data({ intent, fieldErrors: {} as FieldErrors, created: null, error: "Unknown action." }, { status: 400 });
}

export default function ApiTokensPage() {
  const { tokens, fresh } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors: FieldErrors = actionData?.intent === "create" ? actionData.fieldErrors : {};
  return (
    <section aria-labelledby="tokens-title">
      <h1 id="tokens-title">API tokens</h1>
      <p>
        A personal API token lets a script or an app use <a href="/api/v1/openapi.json">the JSON API</a> as you, within the scopes you
        give it. Send it as <code>Authorization: Bearer …</code>. Changing your password does not revoke tokens: revoke one here.
      </p>
      <FormError message={actionData?.error} />

      {actionData?.created ? (
        <div className="card new-token" role="region" aria-labelledby="new-token-title">
          <h2 id="new-token-title">Your new token “{actionData.created.name}”</h2>
          <p>Copy it now: it is shown only this once. Store it like a password.</p>
          <p>
            <code className="token-value">{actionData.created.token}</code>
          </p>
        </div>
      ) : null}

      <h2>Your tokens</h2>
      {tokens.length === 0 ? (
        <p>You have no API tokens.</p>
      ) : (
        <ul className="device-list" aria-label="Your API tokens">
          {tokens.map((token) => (
            <li key={token.id} className="device" aria-labelledby={`token-${token.id}`}>
              <h3 id={`token-${token.id}`}>
                {token.name}
                {token.expired ? <span className="badge">Expired</span> : null}
                {token.expiresAt === null ? <span className="badge warning">Never expires</span> : null}
              </h3>
              <dl className="facts">
                <dt>Scopes</dt>
                <dd>{token.scopes.join(", ")}</dd>
                <dt>Created</dt>
                <dd>
                  <Time ms={token.createdAt} />
                </dd>
                <dt>Last used</dt>
                <dd>
                  {token.lastUsedAt === null ? (
                    "Never"
                  ) : (
                    <>
                      <Time ms={token.lastUsedAt} /> from{" "}
                      {token.lastUsedIp || "an unknown address"}
                    </>
                  )}
                </dd>
                <dt>Expires</dt>
                <dd>
                  {token.expiresAt === null ? "Never" : <Time ms={token.expiresAt} />}
                </dd>
              </dl>
              <Form method="post">
                <input type="hidden" name="intent" value="revoke" />
                <input type="hidden" name="tokenId" value={token.id} />
                <button type="submit" className="button danger" disabled={busy} aria-label={`Revoke ${token.name}`}>
                  Revoke
                </button>
              </Form>
            </li>
          ))}
        </ul>
      )}

      <Form method="post" className="stack" noValidate>
        <h2>New token</h2>
        {fresh ? null : <p className="hint">Creating a token asks for your password first.</p>}
        <Field label="Name" name="name" required maxLength={100} hint="What uses it, e.g. “backup script” or “my phone”." error={errors.name} />
        <fieldset className="scopes" aria-describedby={errors.scopes ? "scopes-error" : undefined}>
          <legend>Scopes</legend>
          {API_SCOPES.map((scope) => (
            <div className="checkbox" key={scope}>
              <input id={`scope-${scope}`} type="checkbox" name="scopes" value={scope} />
              <label htmlFor={`scope-${scope}`}>
                <code>{scope}</code> {API_SCOPE_LABELS[scope]}
              </label>
            </div>
          ))}
          {errors.scopes ? (
            <p id="scopes-error" className="field-error">
              {errors.scopes}
            </p>
          ) : null}
        </fieldset>
        <div className="field">
          <label htmlFor="expiresIn">Expires after</label>
          <select id="expiresIn" name="expiresIn" defaultValue={DEFAULT_TOKEN_EXPIRY} aria-describedby="expiresIn-hint">
            {TOKEN_EXPIRIES.map((expiry) => (
              <option key={expiry} value={expiry}>
                {TOKEN_EXPIRY_LABELS[expiry]}
              </option>
            ))}
          </select>
          <p id="expiresIn-hint" className="hint">
            A token that never expires works until you revoke it: if it leaks, nothing ends it for you.
          </p>
          {errors.expiresIn ? <p className="field-error">{errors.expiresIn}</p> : null}
        </div>
        <input type="hidden" name="intent" value="create" />
        <button type="submit" className="button primary" disabled={busy}>
          Create token
        </button>
      </Form>
    </section>
  );
}
