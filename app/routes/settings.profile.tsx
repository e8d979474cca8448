import type { ActionFunctionArgs, AppLoadContext, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { updateName } from "~/account/account.server";
import { sendEmailConfirmation } from "~/account/email.server";
import { requestOrigin } from "~/activity/activity.server";
import { requireUser } from "~/auth/guards.server";
import { limitRequest, rateLimitHeaders } from "~/auth/rate-limit.server";
import { parseForm, ProfileSchema, readFormData } from "~/auth/validation";
import { Field, FormError } from "~/components/field";
import { TooManyAttemptsBoundary } from "~/components/too-many-attempts";
import { redirectWithFlash } from "~/flash.server";
import { MailDeliveryError } from "~/mail/mailer.server";
import { findUserById, type PublicUser } from "~/users/users.server";
import { i18nOf } from "~/i18n/i18n.server";
import { settingsTitleMeta, useT } from "~/i18n/i18n";

export const meta: MetaFunction = ({ matches }) => [settingsTitleMeta(matches, "settings.profile")];

// Passes on Retry-After: a mail that could not be sent (503), or too many resends (429).
export const headers: HeadersFunction = (args) => rateLimitHeaders(args);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser({ request, context });
  const row = await findUserById(user.id);
  return { name: user.name, email: user.email, emailConfirmedAt: row?.email_confirmed_at ?? null };
}

/** Sends a new confirmation link; counted per account and per client (429 past the limit). */
async function resendConfirmation(user: PublicUser, request: Request, context: AppLoadContext) {
  await limitRequest("confirmation-resend", { account: user.id, address: context.clientIp }, requestOrigin(request, context));
  const { t, language } = i18nOf({ request, context });
  const row = await findUserById(user.id);
  if (!row) throw new Response("Not found", { status: 404 });
  if (row.email_confirmed_at !== null) {
    return redirectWithFlash("/settings/profile", { category: "info", message: t("profile.alreadyConfirmed") });
  }
  try {
    await sendEmailConfirmation({ ...row, language: row.language ?? language });
  } catch (error) {
    if (!(error instanceof MailDeliveryError)) throw error;
    return data({ error: t("mail.retry"), fieldErrors: {} as Record<string, string> }, { status: 503, headers: { "Retry-After": "60" } });
  }
  return redirectWithFlash("/settings/profile", { category: "success", message: t("profile.confirmationSent", { email: row.email }) });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser({ request, context });
  const form = await readFormData(request);
  const { t } = i18nOf({ request, context });
  // A post without `intent` is the profile form of the spec: `name` alone.
  switch (form.get("intent") ?? "update-name") {
    case "update-name": {
      const parsed = parseForm(form, ProfileSchema, t);
      if (!parsed.success) return data({ error: null, fieldErrors: parsed.errors }, { status: 400 });
      await updateName(user.id, parsed.data.name);
      return redirectWithFlash("/settings/profile", { category: "success", message: t("profile.nameUpdated") });
    }
    case "resend-confirmation":
      return resendConfirmation(user, request, context);
    default:
      return data({ error: t("form.unknownAction"), fieldErrors: {} as Record<string, string> }, { status: 400 });
  }
}

export default function ProfileSettings() {
  const { name, email, emailConfirmedAt } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = (intent: string) => navigation.state === "submitting" && navigation.formData?.get("intent") === intent;
  const t = useT();
  return (
    <section aria-labelledby="profile-title">
      <h1 id="profile-title">{t("settings.profile")}</h1>
      <FormError message={actionData?.error} />
      <Form method="post" noValidate className="stack-tight">
        <input type="hidden" name="intent" value="update-name" />
        <Field
          label={t("form.name")}
          name="name"
          autoComplete="name"
          required
          maxLength={100}
          defaultValue={name}
          error={actionData?.fieldErrors.name}
        />
        <button type="submit" className="button primary" disabled={busy("update-name")}>
          {t("profile.saveName")}
        </button>
      </Form>

      <h2 id="email-status-title">{t("profile.emailAddress")}</h2>
      <dl className="facts" aria-labelledby="email-status-title">
        <dt>{t("form.email")}</dt>
        <dd>{email}</dd>
        <dt>{t("profile.status")}</dt>
        <dd>{emailConfirmedAt ? t("profile.confirmed") : t("profile.notConfirmed")}</dd>
      </dl>
      {emailConfirmedAt ? null : (
        <Form method="post" className="stack-tight">
          <input type="hidden" name="intent" value="resend-confirmation" />
          <p>{t("profile.resendIntro")}</p>
          <button type="submit" className="button" disabled={busy("resend-confirmation")}>
            {t("profile.resend")}
          </button>
        </Form>
      )}
      <p>
        <Link to="/settings/email">{t("profile.changeEmail")}</Link>
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <TooManyAttemptsBoundary backTo="/settings/profile" backLabel={useT()("profile.back")} />;
}
