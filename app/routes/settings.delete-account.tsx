import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requestOrigin } from "~/activity/activity.server";
import { deleteAccount } from "~/account/account.server";
import { requireFreshLogin } from "~/auth/guards.server";
import { rateLimitHeaders } from "~/auth/rate-limit.server";
import { confirmCurrentPassword } from "~/auth/reauthenticate.server";
import { clearSessionCookie } from "~/auth/session-cookie.server";
import { DeleteAccountSchema, DeleteWithoutPasswordSchema, parseForm, readFormData } from "~/auth/validation";
import { hasPassword } from "~/auth/password.server";
import { CurrentPasswordField, FormError } from "~/components/field";
import { redirectWithFlash } from "~/flash.server";
import { findUserById, LastAdminError } from "~/users/users.server";
import { SubmitButton } from "~/components/submit-button";
import { TooManyAttemptsBoundary } from "~/components/too-many-attempts";
import { i18nOf } from "~/i18n/i18n.server";
import { settingsTitleMeta, useT } from "~/i18n/i18n";

export const meta: MetaFunction = ({ matches }) => [settingsTitleMeta(matches, "settings.deleteAccount")];
export const headers: HeadersFunction = (args) => rateLimitHeaders(args);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requireFreshLogin({ request, context });
  const account = await findUserById(user.id);
  return { email: user.email, hasPassword: account ? hasPassword(account) : false };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requireFreshLogin({ request, context });
  const account = await findUserById(user.id);
  const form = await readFormData(request);
  const { t } = i18nOf({ request, context });
  if (account && hasPassword(account)) {
    const parsed = parseForm(form, DeleteAccountSchema, t);
    if (!parsed.success) return data({ fieldErrors: parsed.errors }, { status: 400 });
    if (!(await confirmCurrentPassword(request, context, user, parsed.data.password))) {
      return data({ fieldErrors: { password: t("reauth.incorrectPassword") } as Record<string, string> }, { status: 400 });
    }
  } else {
    // No password to ask for: the fresh provider sign-in (requireFreshLogin) proved who this is; a ticked box confirms.
    const parsed = parseForm(form, DeleteWithoutPasswordSchema, t);
    if (!parsed.success) return data({ fieldErrors: { password: parsed.errors.confirm ?? t("v.tickToConfirm") } as Record<string, string> }, { status: 400 });
  }
  try {
    await deleteAccount(user, requestOrigin(request, context));
  } catch (error) {
    if (error instanceof LastAdminError) {
      return data({ fieldErrors: { password: `${t("admin.lastAdmin")} ${t("delete.thenDelete")}` } as Record<string, string> }, { status: 400 });
    }
    throw error;
  }
  return redirectWithFlash(
    "/",
    { category: "success", message: t("delete.done") },
    { headers: { "Set-Cookie": await clearSessionCookie() } },
  );
}

export default function DeleteAccountSettings() {
  const { email, hasPassword } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors = actionData?.fieldErrors ?? {};
  const t = useT();
  return (
    <section aria-labelledby="delete-title">
      <h1 id="delete-title">{t("settings.deleteAccount")}</h1>
      <p>{t("delete.intro")}</p>
      <FormError message={errors.password ? t("delete.notDeleted") : null} />
      <Form method="post" noValidate>
        <input type="hidden" name="username" autoComplete="username" value={email} readOnly />
        {hasPassword ? (
          <CurrentPasswordField hint={t("delete.passwordHint")} error={errors.password} />
        ) : (
          <div className="field">
            <label className="checkbox">
              <input type="checkbox" name="confirm" aria-invalid={errors.password ? true : undefined} aria-describedby={errors.password ? "confirm-error" : undefined} />
              {t("delete.understand")}
            </label>
            {errors.password ? (
              <p id="confirm-error" className="field-error">
                {errors.password}
              </p>
            ) : null}
          </div>
        )}
        <SubmitButton busy={busy} busyLabel={t("delete.busy")} className="button danger">
          {t("delete.submit")}
        </SubmitButton>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <TooManyAttemptsBoundary backTo="/dashboard" backLabel={useT()("reauth.backToDashboard")} />;
}
