import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requestOrigin } from "~/activity/activity.server";
import { deleteAccount } from "~/account/account.server";
import { requireFreshLogin } from "~/auth/guards.server";
import { checkCurrentPassword } from "~/auth/reauthenticate.server";
import { clearSessionCookie } from "~/auth/session-cookie.server";
import { DeleteAccountSchema, DeleteWithoutPasswordSchema, parseForm, readFormData } from "~/auth/validation";
import { hasPassword } from "~/auth/password.server";
import { CurrentPasswordField, FormError } from "~/components/field";
import { redirectWithFlash } from "~/flash.server";
import { findUserById, LastAdminError } from "~/users/users.server";
import { SubmitButton } from "~/components/submit-button";
import { i18nOf } from "~/i18n/i18n.server";

export const meta: MetaFunction = () => [{ title: "Delete account · Settings · Remix Auth Kit" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requireFreshLogin({ request, context });
  const account = await findUserById(user.id);
  return { email: user.email, hasPassword: account ? hasPassword(account) : false };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requireFreshLogin({ request, context });
  const account = await findUserById(user.id);
  const form = await readFormData(request);
  if (account && hasPassword(account)) {
    const parsed = parseForm(form, DeleteAccountSchema, i18nOf({ request, context }).t);
    if (!parsed.success) return data({ fieldErrors: parsed.errors }, { status: 400 });
    if (!(await checkCurrentPassword(user.id, parsed.data.password))) {
      return data({ fieldErrors: { password: "Incorrect password." } as Record<string, string> }, { status: 400 });
    }
  } else {
    // No password to ask for: the fresh provider sign-in (requireFreshLogin) proved who this is; a ticked box confirms.
    const parsed = parseForm(form, DeleteWithoutPasswordSchema, i18nOf({ request, context }).t);
    if (!parsed.success) return data({ fieldErrors: { password: parsed.errors.confirm ?? "Tick the box to confirm." } as Record<string, string> }, { status: 400 });
  }
  try {
    await deleteAccount(user, requestOrigin(request, context));
  } catch (error) {
    if (error instanceof LastAdminError) {
      return data({ fieldErrors: { password: `${error.message} Then you can delete your account.` } as Record<string, string> }, { status: 400 });
    }
    throw error;
  }
  return redirectWithFlash(
    "/",
    { category: "success", message: "Your account has been deleted." },
    { headers: { "Set-Cookie": await clearSessionCookie() } },
  );
}

export default function DeleteAccountSettings() {
  const { email, hasPassword } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors = actionData?.fieldErrors ?? {};
  return (
    <section aria-labelledby="delete-title">
      <h1 id="delete-title">Delete account</h1>
      <p>
        This deletes your account, your notes, your API tokens and every session at once. It cannot be undone. The activity log keeps
        its entries without anything that identifies you.
      </p>
      <FormError message={errors.password ? "Your account was not deleted." : null} />
      <Form method="post" noValidate>
        <input type="hidden" name="username" autoComplete="username" value={email} readOnly />
        {hasPassword ? (
          <CurrentPasswordField hint="Enter your password to confirm." error={errors.password} />
        ) : (
          <div className="field">
            <label className="checkbox">
              <input type="checkbox" name="confirm" aria-invalid={errors.password ? true : undefined} aria-describedby={errors.password ? "confirm-error" : undefined} />
              I understand that my account and everything in it will be deleted.
            </label>
            {errors.password ? (
              <p id="confirm-error" className="field-error">
                {errors.password}
              </p>
            ) : null}
          </div>
        )}
        <SubmitButton busy={busy} busyLabel="Deleting…" className="button danger">
          Delete my account
        </SubmitButton>
      </Form>
    </section>
  );
}
