import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import { recordActivity, requestOrigin } from "~/activity/activity.server";
import { requireAnonymous } from "~/auth/guards.server";
import { recordLoginSucceeded } from "~/auth/login-activity.server";
import { loginUser } from "~/auth/login.server";
import { rateLimitHeaders, startAttempt } from "~/auth/rate-limit.server";
import { countRecoveryCodes } from "~/auth/recovery-codes.server";
import { CODE_ALREADY_USED, checkSecondFactor } from "~/auth/two-factor.server";
import { clearPendingLoginCookie, consumePendingLogin, readPendingLogin } from "~/auth/two-factor-login.server";
import { withCode } from "~/auth/sign-in-method";
import { parseForm, readFormData, TwoFactorCodeSchema } from "~/auth/validation";
import { Field, FormError } from "~/components/field";
import { TooManyAttemptsBoundary } from "~/components/too-many-attempts";
import { redirectWithFlash } from "~/flash.server";
import { SubmitButton } from "~/components/submit-button";

export const meta: MetaFunction = () => [{ title: "Two-factor authentication · Remix Auth Kit" }];

export const headers: HeadersFunction = (args) => rateLimitHeaders(args);

const EXPIRED = { category: "info", message: "Your login has expired. Please log in again." } as const;

async function backToLogin() {
  return redirectWithFlash("/login", EXPIRED, { headers: { "Set-Cookie": await clearPendingLoginCookie() } });
}

/** The pending login (password already right, not used, not expired, password unchanged), or a redirect to log in again. */
async function requirePendingLogin(request: Request) {
  const found = await readPendingLogin(request);
  if (!found) throw await backToLogin();
  return found;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAnonymous({ request, context });
  await requirePendingLogin(request);
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  await requireAnonymous({ request, context });
  const { pending, user } = await requirePendingLogin(request);
  const parsed = parseForm(await readFormData(request), TwoFactorCodeSchema);
  if (!parsed.success) return data({ error: "Check the highlighted field.", fieldErrors: parsed.errors }, { status: 400 });

  const origin = requestOrigin(request, context);
  const attempt = await startAttempt("two-factor", { account: user.id, address: context.clientIp, subjectId: user.id }, origin);
  const check = await checkSecondFactor(user.id, parsed.data.code);
  if (!check.ok) {
    await attempt.failed();
    await recordActivity({ type: "two_factor_failed", actorId: user.id, details: { step: "login" } }, origin);
    const error =
      check.reason === "used" ? CODE_ALREADY_USED : "That code is not valid. Try the current code from your app, or a recovery code.";
    return data({ error, fieldErrors: {} as Record<string, string> }, { status: 400 });
  }
  const { factor } = check;
  await attempt.succeeded();
  // Single use: a parallel submission (or a replayed cookie) that lost the race opens nothing.
  if (!(await consumePendingLogin(pending))) return backToLogin();
  const method = withCode(pending.method);
  await recordLoginSucceeded(user.id, pending.remember, origin, method);
  let flash;
  if (factor === "recovery_code") {
    const left = await countRecoveryCodes(user.id);
    await recordActivity({ type: "recovery_code_used", actorId: user.id, details: { remaining: left } }, origin);
    flash = {
      category: "warning",
      message: `You used a recovery code; ${left} left. Generate new ones in Settings › Two-factor if you are running low.`,
    };
  }
  const response = await loginUser(request, context, {
    userId: user.id,
    remember: pending.remember,
    redirectTo: pending.redirectTo,
    flash,
    method,
  });
  response.headers.append("Set-Cookie", await clearPendingLoginCookie());
  return response;
}

export default function TwoFactorLoginPage() {
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <section className="card narrow" aria-labelledby="two-factor-title">
      <h1 id="two-factor-title">Two-factor authentication</h1>
      <p>Your password was right. Enter the 6-digit code from your authenticator app to finish logging in.</p>
      <FormError message={actionData?.error} />
      <Form method="post" noValidate>
        <Field
          label="Authentication code"
          name="code"
          type="text"
          inputMode="text"
          autoComplete="one-time-code"
          autoCapitalize="off"
          spellCheck={false}
          required
          autoFocus
          maxLength={32}
          hint="Lost your device? Enter one of your recovery codes instead (like abcde-23456)."
          error={actionData?.fieldErrors.code}
        />
        <SubmitButton busy={busy} busyLabel="Checking…">
          Verify
        </SubmitButton>
      </Form>
      <p className="aside">
        <Link to="/login">Start over</Link>
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <TooManyAttemptsBoundary />;
}
