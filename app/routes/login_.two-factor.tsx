import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import { requestOrigin } from "~/activity/activity.server";
import { requireAnonymous } from "~/auth/guards.server";
import { loginUser } from "~/auth/login.server";
import { rateLimitHeaders, startAttempt } from "~/auth/rate-limit.server";
import { countRecoveryCodes } from "~/auth/recovery-codes.server";
import { CODE_ALREADY_USED, checkSecondFactor } from "~/auth/two-factor.server";
import { clearPendingLoginCookie, consumePendingLogin, readPendingLogin } from "~/auth/two-factor-login.server";
import { withCode } from "~/auth/sign-in-method";
import { parseForm, readFormData, TwoFactorCodeSchema } from "~/auth/validation";
import { Field, FormError } from "~/components/field";
import { TooManyAttemptsBoundary } from "~/components/too-many-attempts";
import { announce } from "~/events/events.server";
import { redirectWithFlash } from "~/flash.server";
import { SubmitButton } from "~/components/submit-button";
import { i18nOf } from "~/i18n/i18n.server";
import { titleMeta, useT } from "~/i18n/i18n";
import type { Translate } from "~/i18n/translate";

export const meta: MetaFunction = ({ matches }) => [titleMeta(matches, "twoFactorLogin.title")];

export const headers: HeadersFunction = (args) => rateLimitHeaders(args);

async function backToLogin(t: Translate) {
  return redirectWithFlash("/login", { category: "info", message: t("login.expired") }, { headers: { "Set-Cookie": await clearPendingLoginCookie() } });
}

/** The pending login (password already right, not used, not expired, password unchanged), or a redirect to log in again. */
async function requirePendingLogin(request: Request, t: Translate) {
  const found = await readPendingLogin(request);
  if (!found) throw await backToLogin(t);
  return found;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAnonymous({ request, context });
  await requirePendingLogin(request, i18nOf({ request, context }).t);
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  await requireAnonymous({ request, context });
  const { t } = i18nOf({ request, context });
  const { pending, user } = await requirePendingLogin(request, t);
  const parsed = parseForm(await readFormData(request), TwoFactorCodeSchema, t);
  if (!parsed.success) return data({ error: t("form.checkField"), fieldErrors: parsed.errors }, { status: 400 });

  const origin = requestOrigin(request, context);
  const attempt = await startAttempt("two-factor", { account: user.id, address: context.clientIp, subjectId: user.id }, origin);
  const check = await checkSecondFactor(user.id, parsed.data.code);
  if (!check.ok) {
    await attempt.failed();
    await announce({ type: "two_factor_failed", actorId: user.id, details: { step: "login" } }, origin);
    const error = t(check.reason === "used" ? CODE_ALREADY_USED : "twoFactor.invalidCode");
    return data({ error, fieldErrors: {} as Record<string, string> }, { status: 400 });
  }
  const { factor } = check;
  await attempt.succeeded();
  // Single use: a parallel submission (or a replayed cookie) that lost the race opens nothing.
  if (!(await consumePendingLogin(pending))) return backToLogin(t);
  const method = withCode(pending.method);
  let flash;
  if (factor === "recovery_code") {
    const left = await countRecoveryCodes(user.id);
    await announce({ type: "recovery_code_used", actorId: user.id, details: { remaining: left } }, origin);
    flash = {
      category: "warning",
      message: t("twoFactor.recoveryCodeUsed", { left }),
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
  const t = useT();
  return (
    <section className="card narrow" aria-labelledby="two-factor-title">
      <h1 id="two-factor-title">{t("twoFactorLogin.title")}</h1>
      <p>{t("twoFactorLogin.intro")}</p>
      <FormError message={actionData?.error} />
      <Form method="post" noValidate>
        <Field
          label={t("twoFactorLogin.code")}
          name="code"
          type="text"
          inputMode="text"
          autoComplete="one-time-code"
          autoCapitalize="off"
          spellCheck={false}
          required
          autoFocus
          maxLength={32}
          hint={t("twoFactorLogin.hint")}
          error={actionData?.fieldErrors.code}
        />
        <SubmitButton busy={busy} busyLabel={t("twoFactorLogin.busy")}>
          {t("twoFactorLogin.submit")}
        </SubmitButton>
      </Form>
      <p className="aside">
        <Link to="/login">{t("twoFactorLogin.startOver")}</Link>
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <TooManyAttemptsBoundary />;
}
