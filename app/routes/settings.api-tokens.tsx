import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { requestOrigin } from "~/activity/activity.server";
import { createApiToken, MAX_TOKENS_PER_USER, listApiTokens, revokeApiToken, TooManyTokensError } from "~/api/api-tokens.server";
import { type ApiScope, API_SCOPES, DEFAULT_TOKEN_EXPIRY, TOKEN_EXPIRIES, type TokenExpiry } from "~/api/scopes";
import { requireAuth, requireFreshLogin } from "~/auth/guards.server";
import { isFresh } from "~/auth/sessions.server";
import { type FieldErrors, nameField, parseForm, readFormData } from "~/auth/validation";
import { Field, FormError } from "~/components/field";
import { redirectWithFlash } from "~/flash.server";
import { Time } from "~/components/time";
import { rowId } from "~/utils/row-id";
import { i18nOf } from "~/i18n/i18n.server";
import { settingsTitleMeta, useT } from "~/i18n/i18n";
import type { MessageKey } from "~/i18n/translate";

export const meta: MetaFunction = ({ matches }) => [settingsTitleMeta(matches, "settings.apiTokens")];

const SCOPE_LABELS: Record<ApiScope, MessageKey> = {
  "profile:read": "tokens.scopeProfileRead",
  "notes:read": "tokens.scopeNotesRead",
  "notes:write": "tokens.scopeNotesWrite",
};

const EXPIRY_LABELS: Record<TokenExpiry, MessageKey> = {
  "7d": "tokens.expiry7d",
  "30d": "tokens.expiry30d",
  "90d": "tokens.expiry90d",
  "365d": "tokens.expiry365d",
  never: "tokens.expiryNever",
};

const CreateTokenSchema = z.object({
  name: nameField,
  scopes: z.array(z.enum(API_SCOPES, { message: "tokens.scopeInvalid" })).min(1, "tokens.scopeRequired"),
  expiresIn: z.enum(TOKEN_EXPIRIES, { message: "tokens.expiryInvalid" }).default(DEFAULT_TOKEN_EXPIRY),
});

const RevokeTokenSchema = z.object({
  tokenId: rowId("tokens.unknown"),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, session } = await requireAuth({ request, context });
  return { tokens: await listApiTokens(user.id), fresh: isFresh(session) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requireAuth({ request, context });
  const form = await readFormData(request);
  // A post without `intent` creates a token: the spec's form is `name`, `scopes`, `expiresIn`.
  const intent = form.get("intent") ?? "create";
  const origin = requestOrigin(request, context);
  const { t } = i18nOf({ request, context });

  if (intent === "create") {
    // Minting a credential is sensitive: the password must have been entered recently.
    await requireFreshLogin({ request, context });
    const parsed = parseForm(form, CreateTokenSchema, t);
    if (!parsed.success) return data({ intent, fieldErrors: parsed.errors, created: null, error: null }, { status: 400 });
    try {
      const { token, row } = await createApiToken(user.id, parsed.data, origin);
      return data({ intent, fieldErrors: {} as FieldErrors, created: { token, name: row.name }, error: null });
    } catch (error) {
      if (error instanceof TooManyTokensError) return data({ intent, fieldErrors: {} as FieldErrors, created: null, error: t("tokens.tooMany", { max: MAX_TOKENS_PER_USER }) }, { status: 400 });
      throw error;
    }
  }

  if (intent === "revoke") {
    const parsed = parseForm(form, RevokeTokenSchema, t);
    if (!parsed.success) return data({ intent, fieldErrors: parsed.errors, created: null, error: parsed.errors.tokenId ?? null }, { status: 400 });
    // Another user's token, or one already revoked, is not found: nothing tells them apart.
    if (!(await revokeApiToken({ userId: user.id, tokenId: parsed.data.tokenId, actorId: user.id }, origin))) {
      throw data(t("tokens.noSuch"), { status: 404 });
    }
    return redirectWithFlash("/settings/api-tokens", { category: "success", message: t("tokens.revoked") });
  }

  return data({ intent, fieldErrors: {} as FieldErrors, created: null, error: t("form.unknownAction") }, { status: 400 });
}

export default function ApiTokensPage() {
  const { tokens, fresh } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors: FieldErrors = actionData?.intent === "create" ? actionData.fieldErrors : {};
  const t = useT();
  return (
    <section aria-labelledby="tokens-title">
      <h1 id="tokens-title">{t("settings.apiTokens")}</h1>
      <p>
        {`${t("tokens.intro1")} `}
        <a href="/api/v1/openapi.json">{t("tokens.theApi")}</a>
        {` ${t("tokens.intro2")} `}
        <code>Authorization: Bearer …</code>
        {`. ${t("tokens.intro3")}`}
      </p>
      <FormError message={actionData?.error} />

      {actionData?.created ? (
        <div className="card new-token" role="region" aria-labelledby="new-token-title">
          <h2 id="new-token-title">{t("tokens.newTitle", { name: actionData.created.name })}</h2>
          <p>{t("tokens.copyNow")}</p>
          <p>
            <code className="token-value">{actionData.created.token}</code>
          </p>
        </div>
      ) : null}

      <h2>{t("tokens.yours")}</h2>
      {tokens.length === 0 ? (
        <p>{t("tokens.none")}</p>
      ) : (
        <ul className="device-list" aria-label={t("tokens.yoursLabel")}>
          {tokens.map((token) => (
            <li key={token.id} className="device" aria-labelledby={`token-${token.id}`}>
              <h3 id={`token-${token.id}`}>
                {token.name}
                {token.expired ? <span className="badge">{t("tokens.expired")}</span> : null}
                {token.expiresAt === null ? <span className="badge warning">{t("tokens.neverExpires")}</span> : null}
              </h3>
              <dl className="facts">
                <dt>{t("tokens.scopes")}</dt>
                <dd>{token.scopes.join(", ")}</dd>
                <dt>{t("passkeys.created")}</dt>
                <dd>
                  <Time ms={token.createdAt} />
                </dd>
                <dt>{t("passkeys.lastUsed")}</dt>
                <dd>
                  {token.lastUsedAt === null ? (
                    t("passkeys.never")
                  ) : (
                    <>
                      <Time ms={token.lastUsedAt} /> {t("tokens.from")} {token.lastUsedIp || t("tokens.unknownAddress")}
                    </>
                  )}
                </dd>
                <dt>{t("tokens.expires")}</dt>
                <dd>
                  {token.expiresAt === null ? t("passkeys.never") : <Time ms={token.expiresAt} />}
                </dd>
              </dl>
              <Form method="post">
                <input type="hidden" name="intent" value="revoke" />
                <input type="hidden" name="tokenId" value={token.id} />
                <button type="submit" className="button danger" disabled={busy} aria-label={t("tokens.revokeNamed", { name: token.name })}>
                  {t("tokens.revoke")}
                </button>
              </Form>
            </li>
          ))}
        </ul>
      )}

      <Form method="post" className="stack" noValidate>
        <h2>{t("tokens.new")}</h2>
        {fresh ? null : <p className="hint">{t("tokens.asksPassword")}</p>}
        <Field label={t("form.name")} name="name" required maxLength={100} hint={t("tokens.nameHint")} error={errors.name} />
        <fieldset className="scopes" aria-describedby={errors.scopes ? "scopes-error" : undefined}>
          <legend>{t("tokens.scopes")}</legend>
          {API_SCOPES.map((scope) => (
            <div className="checkbox" key={scope}>
              <input id={`scope-${scope}`} type="checkbox" name="scopes" value={scope} />
              <label htmlFor={`scope-${scope}`}>
                <code>{scope}</code> {t(SCOPE_LABELS[scope])}
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
          <label htmlFor="expiresIn">{t("tokens.expiresAfter")}</label>
          <select id="expiresIn" name="expiresIn" defaultValue={DEFAULT_TOKEN_EXPIRY} aria-describedby="expiresIn-hint">
            {TOKEN_EXPIRIES.map((expiry) => (
              <option key={expiry} value={expiry}>
                {t(EXPIRY_LABELS[expiry])}
              </option>
            ))}
          </select>
          <p id="expiresIn-hint" className="hint">
            {t("tokens.neverHint")}
          </p>
          {errors.expiresIn ? <p className="field-error">{errors.expiresIn}</p> : null}
        </div>
        <input type="hidden" name="intent" value="create" />
        <button type="submit" className="button primary" disabled={busy}>
          {t("tokens.create")}
        </button>
      </Form>
    </section>
  );
}
