import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useRef } from "react";
import { requestOrigin } from "~/activity/activity.server";
import { authenticateLogin, INVALID_CREDENTIALS, LoginError } from "~/auth/authenticator.server";
import { requireAnonymous } from "~/auth/guards.server";
import { recordLoginFailed } from "~/auth/login-activity.server";
import { completeSignIn } from "~/auth/login.server";
import { loginWithPasskey } from "~/auth/passkey-login.server";
import { rateLimitHeaders } from "~/auth/rate-limit.server";
import { type FieldErrors, readFormData } from "~/auth/validation";
import { CurrentPasswordField, Field, FormError } from "~/components/field";
import { PasskeySignIn } from "~/components/passkey-sign-in";
import { SubmitButton } from "~/components/submit-button";
import { TooManyAttemptsBoundary } from "~/components/too-many-attempts";
import { ProviderButtons } from "~/components/provider-buttons";
import { getConfig } from "~/config.server";
import { i18nOf } from "~/i18n/i18n.server";
import { titleMeta, useT } from "~/i18n/i18n";

export const meta: MetaFunction = ({ matches }) => [titleMeta(matches, "login.title")];

export const headers: HeadersFunction = (args) => rateLimitHeaders(args);

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAnonymous({ request, context });
  const config = getConfig();
  return { registrationOpen: config.registration === "open", providers: config.oidcProviders.map(({ id, label }) => ({ id, label })) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  // A passkey instead of the password (its WebAuthn response is the credential): app/auth/passkey-login.server.ts.
  const form = await readFormData(request.clone());
  if (form.get("intent") === "passkey") {
    const result = await loginWithPasskey(form, request, context);
    if (result instanceof Response) return result;
    return data({ error: result.error, fieldErrors: {} as FieldErrors, email: "" }, { status: 400 });
  }
  try {
    const { user, remember, redirectTo } = await authenticateLogin(request, context);
    return await completeSignIn(request, context, { userId: user.id, remember, redirectTo, method: "password" });
  } catch (error) {
    if (error instanceof LoginError) {
      if (error.message === INVALID_CREDENTIALS) await recordLoginFailed(error.email, requestOrigin(request, context));
      const { t } = i18nOf({ request, context });
      return data({ error: t(error.message), fieldErrors: error.fieldErrors, email: error.email }, { status: 400 });
    }
    throw error;
  }
}

export default function LoginPage() {
  const { providers } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const navigation = useNavigation();
  const redirectTo = searchParams.get("redirectTo") ?? "";
  const busy = navigation.state === "submitting";
  const rememberRef = useRef<HTMLInputElement>(null);
  const t = useT();
  const registerHref = redirectTo ? `/register?redirectTo=${encodeURIComponent(redirectTo)}` : "/register";
  return (
    <section className="card narrow" aria-labelledby="login-title">
      <h1 id="login-title">{t("login.title")}</h1>
      <FormError message={actionData?.error} />
      <Form method="post" noValidate>
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <Field
          label={t("form.email")}
          name="email"
          type="email"
          autoComplete="username webauthn"
          required
          defaultValue={actionData?.email}
          error={actionData?.fieldErrors.email}
          autoFocus={!actionData}
        />
        <CurrentPasswordField error={actionData?.fieldErrors.password} />
        <div className="checkbox">
          <input id="remember" name="remember" type="checkbox" value="on" ref={rememberRef} />
          <label htmlFor="remember">{t("login.rememberMe")}</label>
        </div>
        <SubmitButton busy={busy} busyLabel={t("login.busy")}>
          {t("login.submit")}
        </SubmitButton>
      </Form>
      <PasskeySignIn purpose="login" redirectTo={redirectTo} remember={() => rememberRef.current?.checked ?? false} />
      <ProviderButtons providers={providers} redirectTo={redirectTo} />
      <p className="aside">
        <Link to="/forgot-password">{t("login.forgot")}</Link>
      </p>
      <p className="aside">
        {`${t("login.newHere")} `}
        <Link to={registerHref}>{t("login.createAccount")}</Link>
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <TooManyAttemptsBoundary />;
}
