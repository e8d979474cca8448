import type { ActionFunctionArgs, AppLoadContext, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { requestOrigin } from "~/activity/activity.server";
import { type Auth, requireAuth } from "~/auth/guards.server";
import { startProviderFlow } from "~/auth/oidc/flow.server";
import { listIdentities } from "~/auth/oidc/identities.server";
import { findProvider, listProviders, ProviderUnavailableError } from "~/auth/oidc/providers.server";
import { hasPassword } from "~/auth/password.server";
import { reauthenticateWithPasskey } from "~/auth/passkey-login.server";
import { countPasskeys } from "~/auth/passkeys.server";
import { rateLimitHeaders, startAttempt } from "~/auth/rate-limit.server";
import { checkCurrentPassword, completeReauthentication } from "~/auth/reauthenticate.server";
import { checkSecondFactor, CODE_ALREADY_USED, isTwoFactorEnabled } from "~/auth/two-factor.server";
import { parseForm, readFormData, ReauthenticateSchema, TwoFactorCodeSchema } from "~/auth/validation";
import { CurrentPasswordField, Field, FormError } from "~/components/field";
import { PasskeySignIn } from "~/components/passkey-sign-in";
import { SubmitButton } from "~/components/submit-button";
import { TooManyAttemptsBoundary } from "~/components/too-many-attempts";
import { getConfig } from "~/config.server";
import { announce } from "~/events/events.server";
import { findUserById } from "~/users/users.server";
import { i18nOf } from "~/i18n/i18n.server";
import { titleMeta, useT } from "~/i18n/i18n";

export const meta: MetaFunction = ({ matches }) => [titleMeta(matches, "reauth.title")];

export const headers: HeadersFunction = (args) => rateLimitHeaders(args);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requireAuth({ request, context });
  const [twoFactor, providers, account, passkeys] = await Promise.all([
    isTwoFactorEnabled(user.id),
    linkedProviders(user.id),
    findUserById(user.id),
    countPasskeys(user.id),
  ]);
  return {
    email: user.email,
    twoFactor,
    passkeys: passkeys > 0,
    hasPassword: account ? hasPassword(account) : false,
    providers,
    providerNeedsCode: twoFactor && getConfig().oidcRequireTotp,
  };
}

/** The configured providers linked to the user: each can confirm it is them instead of the password. */
async function linkedProviders(userId: number) {
  const linked = new Set((await listIdentities(userId)).map((identity) => identity.provider));
  return listProviders()
    .filter((provider) => linked.has(provider.id))
    .map(({ id, label }) => ({ id, label }));
}

const ProviderReauthSchema = z.object({
  provider: z.string().trim().max(64, "reauth.unknownProvider"),
  redirectTo: z.string().max(2048).optional(),
});

/**
 * Confirms with a linked provider instead of the password (the only way for an
 * account made by a provider): a round trip whose callback must come back with
 * this user's linked account. With two-factor and OIDC_REQUIRE_TOTP, the code
 * is checked first, as with the password.
 */
async function reauthenticateWithProvider(auth: Auth, form: FormData, twoFactor: boolean, request: Request, context: AppLoadContext) {
  const { t } = i18nOf({ request, context });
  const parsed = parseForm(form, ProviderReauthSchema, t);
  const provider = parsed.success ? findProvider(parsed.data.provider) : undefined;
  if (!parsed.success || !provider || !(await linkedProviders(auth.user.id)).some((p) => p.id === provider.id)) {
    return data({ error: t("reauth.chooseProvider"), fieldErrors: {} as Record<string, string> }, { status: 400 });
  }
  if (twoFactor && getConfig().oidcRequireTotp) {
    const code = parseForm(form, TwoFactorCodeSchema, t);
    if (!code.success) return data({ error: t("form.checkFields"), fieldErrors: code.errors }, { status: 400 });
    const origin = requestOrigin(request, context);
    const attempt = await startAttempt("two-factor", { account: auth.user.id, address: context.clientIp, subjectId: auth.user.id }, origin);
    const check = await checkSecondFactor(auth.user.id, code.data.code);
    if (!check.ok) {
      await attempt.failed();
      await announce({ type: "two_factor_failed", actorId: auth.user.id, details: { step: "reauthenticate" } }, origin);
      return data(
        { error: check.reason === "used" ? t(CODE_ALREADY_USED) : t("twoFactorSettings.codeInvalid"), fieldErrors: {} as Record<string, string> },
        { status: 400 },
      );
    }
    await attempt.succeeded();
  }
  try {
    return await startProviderFlow(provider, {
      purpose: "reauthenticate",
      userId: auth.user.id,
      redirectTo: parsed.data.redirectTo ?? null,
    });
  } catch (error) {
    if (error instanceof ProviderUnavailableError) {
      return data(
        { error: t("oidc.unavailable", { provider: provider.label }), fieldErrors: {} as Record<string, string> },
        { status: 502 },
      );
    }
    throw error;
  }
}

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireAuth({ request, context });
  const twoFactor = await isTwoFactorEnabled(auth.user.id);
  const form = await readFormData(request);
  if (form.get("intent") === "provider") return reauthenticateWithProvider(auth, form, twoFactor, request, context);
  if (form.get("intent") === "passkey") {
    // A passkey with user verification stands for the password and the code.
    const result = await reauthenticateWithPasskey(auth, form, request, context);
    if (result instanceof Response) return result;
    return data({ error: result.error, fieldErrors: {} as Record<string, string> }, { status: 400 });
  }
  const { t } = i18nOf({ request, context });
  const parsed = parseForm(form, ReauthenticateSchema, t);
  const code = twoFactor ? parseForm(form, TwoFactorCodeSchema, t) : null;
  if (!parsed.success || (code && !code.success)) {
    const fieldErrors = { ...(parsed.success ? {} : parsed.errors), ...(code && !code.success ? code.errors : {}) };
    return data({ error: t("form.checkFields"), fieldErrors }, { status: 400 });
  }
  const refused = twoFactor ? t("reauth.incorrectPasswordOrCode") : t("reauth.incorrectPassword");
  const origin = requestOrigin(request, context);
  const { id, email } = auth.user;
  // Both counters are reserved before either secret is checked (429 even when both are right).
  const passwordAttempt = await startAttempt("password", { account: email, address: context.clientIp, subjectId: id }, origin);
  let codeAttempt = null;
  try {
    codeAttempt = twoFactor ? await startAttempt("two-factor", { account: id, address: context.clientIp, subjectId: id }, origin) : null;
  } catch (error) {
    await passwordAttempt.cancelled();
    throw error;
  }
  if (!(await checkCurrentPassword(id, parsed.data.password))) {
    await passwordAttempt.failed();
    await codeAttempt?.cancelled();
    await announce({ type: "reauthentication_failed", actorId: id }, origin);
    return data({ error: refused, fieldErrors: {} as Record<string, string> }, { status: 400 });
  }
  await passwordAttempt.succeeded();
  if (codeAttempt && code?.success) {
    const check = await checkSecondFactor(id, code.data.code);
    if (!check.ok) {
      await codeAttempt.failed();
      await announce({ type: "two_factor_failed", actorId: id, details: { step: "reauthenticate" } }, origin);
      // The password was right by now, so saying the code was already used tells nothing new.
      return data(
        { error: check.reason === "used" ? t(CODE_ALREADY_USED) : refused, fieldErrors: {} as Record<string, string> },
        { status: 400 },
      );
    }
    await codeAttempt.succeeded();
    if (check.factor === "recovery_code") await announce({ type: "recovery_code_used", actorId: id }, origin);
  }
  return completeReauthentication(request, context, auth, parsed.data.redirectTo);
}

export default function ReauthenticatePage() {
  const { email, twoFactor, hasPassword, providers, providerNeedsCode, passkeys } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  const t = useT();
  return (
    <section className="card narrow" aria-labelledby="reauth-title">
      <h1 id="reauth-title">{t("reauth.title")}</h1>
      {hasPassword ? (
        <p>
          {t("reauth.introPassword", {
            email,
            code: twoFactor ? t("reauth.andCode") : "",
            passkeys: passkeys ? t("reauth.orPasskey") : "",
          })}
        </p>
      ) : (
        <p>{t("reauth.introProvider", { email })}</p>
      )}
      <FormError message={actionData?.error} />
      {hasPassword ? (
        <Form method="post" noValidate>
          <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? ""} />
          {/* Lets password managers fill the right account. */}
          <input type="hidden" name="username" autoComplete="username" value={email} readOnly />
          <CurrentPasswordField autoFocus error={actionData?.fieldErrors.password} />
          {twoFactor ? (
            <Field
              label={t("twoFactorLogin.code")}
              name="code"
              type="text"
              autoComplete="one-time-code"
              autoCapitalize="off"
              spellCheck={false}
              required
              maxLength={32}
              hint={t("reauth.codeHint")}
              error={actionData?.fieldErrors.code}
            />
          ) : null}
          <SubmitButton busy={busy} busyLabel={t("twoFactorLogin.busy")}>
            {t("reauth.confirm")}
          </SubmitButton>
        </Form>
      ) : null}
      {passkeys ? <PasskeySignIn purpose="reauthenticate" redirectTo={searchParams.get("redirectTo") ?? ""} /> : null}
      {providers.map((provider) => (
        // A full page load: the answer is a redirect to the provider's site.
        <Form key={provider.id} method="post" reloadDocument className="provider-buttons">
          <input type="hidden" name="intent" value="provider" />
          <input type="hidden" name="provider" value={provider.id} />
          <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? ""} />
          {providerNeedsCode ? (
            <Field
              label={t("reauth.codeWithProvider", { provider: provider.label })}
              name="code"
              id={`code-${provider.id}`}
              type="text"
              autoComplete="one-time-code"
              autoCapitalize="off"
              spellCheck={false}
              required
              maxLength={32}
            />
          ) : null}
          <button type="submit" className="button">
            {t("reauth.confirmWith", { provider: provider.label })}
          </button>
        </Form>
      ))}
    </section>
  );
}

export function ErrorBoundary() {
  return <TooManyAttemptsBoundary backTo="/dashboard" backLabel={useT()("reauth.backToDashboard")} />;
}
