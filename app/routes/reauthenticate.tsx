import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { recordActivity, requestOrigin } from "~/activity/activity.server";
import { requireAuth } from "~/auth/guards.server";
import { reauthenticateWithPasskey } from "~/auth/passkey-login.server";
import { countPasskeys } from "~/auth/passkeys.server";
import { rateLimitHeaders, startAttempt } from "~/auth/rate-limit.server";
import { checkCurrentPassword, completeReauthentication } from "~/auth/reauthenticate.server";
import { checkSecondFactor, CODE_ALREADY_USED, isTwoFactorEnabled } from "~/auth/two-factor.server";
import { parseForm, readFormData, ReauthenticateSchema, TwoFactorCodeSchema } from "~/auth/validation";
import { CurrentPasswordField, Field, FormError } from "~/components/field";
import { PasskeySignIn } from "~/components/passkey-sign-in";
import { TooManyAttemptsBoundary } from "~/components/too-many-attempts";

export const meta: MetaFunction = () => [{ title: "Confirm it's you · Remix Auth Kit" }];

export const headers: HeadersFunction = (args) => rateLimitHeaders(args);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requireAuth({ request, context });
  return { email: user.email, twoFactor: await isTwoFactorEnabled(user.id), passkeys: (await countPasskeys(user.id)) > 0 };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireAuth({ request, context });
  const twoFactor = await isTwoFactorEnabled(auth.user.id);
  const form = await readFormData(request);
  if (form.get("intent") === "passkey") {
    // A passkey with user verification stands for the password and the code.
    const result = await reauthenticateWithPasskey(auth, form, request, context);
    if (result instanceof Response) return result;
    return data({ error: result.error, fieldErrors: {} as Record<string, string> }, { status: 400 });
  }
  const parsed = parseForm(form, ReauthenticateSchema);
  const code = twoFactor ? parseForm(form, TwoFactorCodeSchema) : null;
  if (!parsed.success || (code && !code.success)) {
    const fieldErrors = { ...(parsed.success ? {} : parsed.errors), ...(code && !code.success ? code.errors : {}) };
    return data({ error: "Check the highlighted fields.", fieldErrors }, { status: 400 });
  }
  const refused = twoFactor ? "Incorrect password or code." : "Incorrect password.";
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
    await recordActivity({ type: "reauthentication_failed", actorId: id }, origin);
    return data({ error: refused, fieldErrors: {} as Record<string, string> }, { status: 400 });
  }
  await passwordAttempt.succeeded();
  if (codeAttempt && code?.success) {
    const check = await checkSecondFactor(id, code.data.code);
    if (!check.ok) {
      await codeAttempt.failed();
      await recordActivity({ type: "two_factor_failed", actorId: id, details: { step: "reauthenticate" } }, origin);
      // The password was right by now, so saying the code was already used tells nothing new.
      return data({ error: check.reason === "used" ? CODE_ALREADY_USED : refused, fieldErrors: {} as Record<string, string> }, { status: 400 });
    }
    await codeAttempt.succeeded();
    if (check.factor === "recovery_code") await recordActivity({ type: "recovery_code_used", actorId: id }, origin);
  }
  return completeReauthentication(request, context, auth, parsed.data.redirectTo);
}

export default function ReauthenticatePage() {
  const { email, twoFactor, passkeys } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  return (
    <section className="card narrow" aria-labelledby="reauth-title">
      <h1 id="reauth-title">Confirm it&apos;s you</h1>
      <p>
        This page needs a recent sign-in. Enter the password for {email}
        {twoFactor ? " and a code from your authenticator app" : ""}
        {passkeys ? ", or use one of your passkeys," : ""} to continue.
      </p>
      <FormError message={actionData?.error} />
      <Form method="post" noValidate>
        <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? ""} />
        {/* Lets password managers fill the right account. */}
        <input type="hidden" name="username" autoComplete="username" value={email} readOnly />
        <CurrentPasswordField autoFocus error={actionData?.fieldErrors.password} />
        {twoFactor ? (
          <Field
            label="Authentication code"
            name="code"
            type="text"
            autoComplete="one-time-code"
            autoCapitalize="off"
            spellCheck={false}
            required
            maxLength={32}
            hint="The 6-digit code from your app, or a recovery code."
            error={actionData?.fieldErrors.code}
          />
        ) : null}
        <button type="submit" className="button primary" disabled={busy}>
          Confirm
        </button>
      </Form>
      {passkeys ? <PasskeySignIn purpose="reauthenticate" redirectTo={searchParams.get("redirectTo") ?? ""} /> : null}
    </section>
  );
}

export function ErrorBoundary() {
  return <TooManyAttemptsBoundary backTo="/dashboard" backLabel="Back to the dashboard" />;
}
