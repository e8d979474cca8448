import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requestOrigin } from "~/activity/activity.server";
import { changePassword } from "~/account/account.server";
import { requireFreshLogin } from "~/auth/guards.server";
import { weakPasswordReason } from "~/auth/password-strength.server";
import { rateLimitHeaders } from "~/auth/rate-limit.server";
import { confirmCurrentPassword } from "~/auth/reauthenticate.server";
import { serializeSessionCookie } from "~/auth/session-cookie.server";
import { ChangePasswordSchema, parseForm, readFormData, SetPasswordSchema } from "~/auth/validation";
import { hasPassword } from "~/auth/password.server";
import { findUserById } from "~/users/users.server";
import { CurrentPasswordField, FormError, NewPasswordField } from "~/components/field";
import { redirectWithFlash } from "~/flash.server";
import { SubmitButton } from "~/components/submit-button";
import { TooManyAttemptsBoundary } from "~/components/too-many-attempts";
import { i18nOf } from "~/i18n/i18n.server";
import { settingsTitleMeta, useT } from "~/i18n/i18n";

export const meta: MetaFunction = ({ matches }) => [settingsTitleMeta(matches, "settings.password")];
export const headers: HeadersFunction = (args) => rateLimitHeaders(args);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requireFreshLogin({ request, context });
  const account = await findUserById(user.id);
  return { email: user.email, hasPassword: account ? hasPassword(account) : false };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireFreshLogin({ request, context });
  const account = await findUserById(auth.user.id);
  // An account made by a provider sign-in has no password yet: it sets one (the fresh login proved it is its owner).
  const first = account !== undefined && !hasPassword(account);
  const form = await readFormData(request);
  const i18n = i18nOf({ request, context });
  const { t } = i18n;
  let newPassword: string;
  if (first) {
    const parsed = parseForm(form, SetPasswordSchema, t);
    if (!parsed.success) return data({ fieldErrors: parsed.errors }, { status: 400 });
    newPassword = parsed.data.newPassword;
  } else {
    const parsed = parseForm(form, ChangePasswordSchema, t);
    if (!parsed.success) return data({ fieldErrors: parsed.errors }, { status: 400 });
    if (!(await confirmCurrentPassword(request, context, auth.user, parsed.data.currentPassword))) {
      return data({ fieldErrors: { currentPassword: t("password.currentIncorrect") } as Record<string, string> }, { status: 400 });
    }
    newPassword = parsed.data.newPassword;
  }
  const weakness = await weakPasswordReason(newPassword, auth.user, i18n);
  if (weakness) return data({ fieldErrors: { newPassword: weakness } as Record<string, string> }, { status: 400 });
  const sid = await changePassword(auth, newPassword, requestOrigin(request, context), { language: i18n.language });
  return redirectWithFlash(
    "/settings/password",
    {
      category: "success",
      message: first ? t("password.set") : t("password.changed"),
    },
    sid === null ? {} : { headers: { "Set-Cookie": await serializeSessionCookie(sid, auth.session.remember === 1) } },
  );
}

export default function PasswordSettings() {
  const { email, hasPassword } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors = actionData?.fieldErrors ?? {};
  const t = useT();
  return (
    <section aria-labelledby="password-title">
      <h1 id="password-title">{hasPassword ? t("password.changeTitle") : t("password.setTitle")}</h1>
      <p>{hasPassword ? t("password.changeIntro") : t("password.setIntro")}</p>
      <FormError message={Object.keys(errors).length ? t("form.correctFields") : null} />
      <Form method="post" noValidate>
        <input type="hidden" name="username" autoComplete="username" value={email} readOnly />
        {hasPassword ? <CurrentPasswordField label={t("password.current")} name="currentPassword" error={errors.currentPassword} /> : null}
        <NewPasswordField label={t("form.newPassword")} name="newPassword" error={errors.newPassword} />
        <SubmitButton busy={busy} busyLabel={hasPassword ? t("password.changing") : t("password.setting")}>
          {hasPassword ? t("password.changeSubmit") : t("password.setSubmit")}
        </SubmitButton>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <TooManyAttemptsBoundary backTo="/dashboard" backLabel={useT()("reauth.backToDashboard")} />;
}
