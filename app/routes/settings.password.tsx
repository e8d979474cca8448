import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requestOrigin } from "~/activity/activity.server";
import { changePassword } from "~/account/account.server";
import { requireFreshLogin } from "~/auth/guards.server";
import { weakPasswordReason } from "~/auth/password-strength.server";
import { checkCurrentPassword } from "~/auth/reauthenticate.server";
import { readSessionId, serializeSessionCookie } from "~/auth/session-cookie.server";
import { ChangePasswordSchema, parseForm, readFormData } from "~/auth/validation";
import { CurrentPasswordField, FormError, NewPasswordField } from "~/components/field";
import { redirectWithFlash } from "~/flash.server";
import { SubmitButton } from "~/components/submit-button";

export const meta: MetaFunction = () => [{ title: "Password · Settings · Remix Auth Kit" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requireFreshLogin({ request, context });
  return { email: user.email };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireFreshLogin({ request, context });
  const parsed = parseForm(await readFormData(request), ChangePasswordSchema);
  if (!parsed.success) return data({ fieldErrors: parsed.errors }, { status: 400 });
  const { currentPassword, newPassword } = parsed.data;
  if (!(await checkCurrentPassword(auth.user.id, currentPassword))) {
    return data({ fieldErrors: { currentPassword: "Your current password is incorrect." } as Record<string, string> }, { status: 400 });
  }
  const weakness = await weakPasswordReason(newPassword, auth.user);
  if (weakness) return data({ fieldErrors: { newPassword: weakness } as Record<string, string> }, { status: 400 });
  const sid = await changePassword(auth, newPassword, requestOrigin(request, context), { presentedId: await readSessionId(request) });
  return redirectWithFlash(
    "/settings/password",
    { category: "success", message: "Your password has been changed. Your other sessions have been signed out." },
    { headers: { "Set-Cookie": await serializeSessionCookie(sid, auth.session.remember === 1) } },
  );
}

export default function PasswordSettings() {
  const { email } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors = actionData?.fieldErrors ?? {};
  return (
    <section aria-labelledby="password-title">
      <h1 id="password-title">Change password</h1>
      <p>Changing your password signs out every other session of your account; this one stays signed in.</p>
      <FormError message={Object.keys(errors).length ? "Please correct the highlighted fields." : null} />
      <Form method="post" noValidate>
        <input type="hidden" name="username" autoComplete="username" value={email} readOnly />
        <CurrentPasswordField label="Current password" name="currentPassword" error={errors.currentPassword} />
        <NewPasswordField label="New password" name="newPassword" error={errors.newPassword} />
        <SubmitButton busy={busy} busyLabel="Changing password…">
          Change password
        </SubmitButton>
      </Form>
    </section>
  );
}
