import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requestOrigin } from "~/activity/activity.server";
import { changePassword } from "~/account/account.server";
import { requireFreshLogin } from "~/auth/guards.server";
import { weakPasswordReason } from "~/auth/password-strength.server";
import { checkCurrentPassword } from "~/auth/reauthenticate.server";
import { readSessionId, serializeSessionCookie } from "~/auth/session-cookie.server";
import { ChangePasswordSchema, parseForm, readFormData, SetPasswordSchema } from "~/auth/validation";
import { hasPassword } from "~/auth/password.server";
import { findUserById } from "~/users/users.server";
import { CurrentPasswordField, FormError, NewPasswordField } from "~/components/field";
import { redirectWithFlash } from "~/flash.server";
import { SubmitButton } from "~/components/submit-button";
import { i18nOf } from "~/i18n/i18n.server";

export const meta: MetaFunction = () => [{ title: "Password · Settings · Remix Auth Kit" }];

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
  let newPassword: string;
  if (first) {
    const parsed = parseForm(form, SetPasswordSchema, i18nOf({ request, context }).t);
    if (!parsed.success) return data({ fieldErrors: parsed.errors }, { status: 400 });
    newPassword = parsed.data.newPassword;
  } else {
    const parsed = parseForm(form, ChangePasswordSchema, i18nOf({ request, context }).t);
    if (!parsed.success) return data({ fieldErrors: parsed.errors }, { status: 400 });
    if (!(await checkCurrentPassword(auth.user.id, parsed.data.currentPassword))) {
      return data({ fieldErrors: { currentPassword: "Your current password is incorrect." } as Record<string, string> }, { status: 400 });
    }
    newPassword = parsed.data.newPassword;
  }
  const weakness = await weakPasswordReason(newPassword, auth.user);
  if (weakness) return data({ fieldErrors: { newPassword: weakness } as Record<string, string> }, { status: 400 });
  const sid = await changePassword(auth, newPassword, requestOrigin(request, context), { presentedId: await readSessionId(request), language: i18nOf({ request, context }).language });
  return redirectWithFlash(
    "/settings/password",
    {
      category: "success",
      message: first
        ? "Your password is set: you can also sign in with your email and it. Your other sessions have been signed out."
        : "Your password has been changed. Your other sessions have been signed out.",
    },
    { headers: { "Set-Cookie": await serializeSessionCookie(sid, auth.session.remember === 1) } },
  );
}

export default function PasswordSettings() {
  const { email, hasPassword } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors = actionData?.fieldErrors ?? {};
  return (
    <section aria-labelledby="password-title">
      <h1 id="password-title">{hasPassword ? "Change password" : "Set a password"}</h1>
      <p>
        {hasPassword
          ? "Changing your password signs out every other session of your account; this one stays signed in."
          : "Your account signs in through a provider only. A password gives you a second way in (with your email); setting it signs out your other sessions."}
      </p>
      <FormError message={Object.keys(errors).length ? "Please correct the highlighted fields." : null} />
      <Form method="post" noValidate>
        <input type="hidden" name="username" autoComplete="username" value={email} readOnly />
        {hasPassword ? <CurrentPasswordField label="Current password" name="currentPassword" error={errors.currentPassword} /> : null}
        <NewPasswordField label="New password" name="newPassword" error={errors.newPassword} />
        <SubmitButton busy={busy} busyLabel={hasPassword ? "Changing password…" : "Setting password…"}>
          {hasPassword ? "Change password" : "Set password"}
        </SubmitButton>
      </Form>
    </section>
  );
}
