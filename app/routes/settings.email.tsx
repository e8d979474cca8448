import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { requestOrigin } from "~/activity/activity.server";
import { requestEmailChange } from "~/account/email.server";
import { cancelEmailChange, pendingEmailChange } from "~/account/tokens.server";
import { requireFreshLogin } from "~/auth/guards.server";
import { limitRequest, rateLimitHeaders } from "~/auth/rate-limit.server";
import { ChangeEmailSchema, parseForm, readFormData } from "~/auth/validation";
import { Field, FormError } from "~/components/field";
import { announce } from "~/events/events.server";
import { redirectWithFlash } from "~/flash.server";
import { MailDeliveryError } from "~/mail/mailer.server";
import { EmailTakenError, findUserById } from "~/users/users.server";
import { Time } from "~/components/time";
import { TooManyAttemptsBoundary } from "~/components/too-many-attempts";
import { i18nOf } from "~/i18n/i18n.server";
import { settingsTitleMeta, useT } from "~/i18n/i18n";

export const meta: MetaFunction = ({ matches }) => [settingsTitleMeta(matches, "settings.email")];

// Passes on the Retry-After of a mail that could not be sent, or of too many requests.
export const headers: HeadersFunction = (args) => rateLimitHeaders(args);

/** `change` (the default, so a plain form with only `email` works) or `cancel` the pending change. */
const IntentSchema = z.object({
  intent: z.enum(["change", "cancel"], { message: "form.unknownAction" }).default("change"),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requireFreshLogin({ request, context });
  return { email: user.email, pending: await pendingEmailChange(user.id) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requireFreshLogin({ request, context });
  const form = await readFormData(request);
  const values = { email: String(form.get("email") ?? "") };
  const { t, language } = i18nOf({ request, context });
  const intent = parseForm(form, IntentSchema, t);
  if (!intent.success) return data({ error: intent.errors.intent ?? t("form.unknownAction"), fieldErrors: {} as Record<string, string>, values }, { status: 400 });
  if (intent.data.intent === "cancel") {
    const cancelled = await cancelEmailChange(user.id);
    if (cancelled) await announce({ type: "email_change_cancelled", actorId: user.id }, requestOrigin(request, context));
    return redirectWithFlash("/settings/email", {
      category: cancelled ? "success" : "info",
      message: cancelled ? t("email.cancelled", { email: user.email }) : t("email.nothingToCancel"),
    });
  }
  const parsed = parseForm(form, ChangeEmailSchema, t);
  if (!parsed.success) return data({ error: null, fieldErrors: parsed.errors, values }, { status: 400 });
  const newEmail = parsed.data.email;
  if (newEmail === user.email) {
    return data({ error: null, fieldErrors: { email: t("email.same") }, values }, { status: 400 });
  }
  // Each request sends a mail and says whether the address has an account: both counted, per account and client.
  await limitRequest("email-change", { account: user.id, address: context.clientIp }, requestOrigin(request, context));
  const row = await findUserById(user.id);
  if (!row) throw new Response("Not found", { status: 404 });
  try {
    await requestEmailChange({ ...row, language: row.language ?? language }, newEmail, requestOrigin(request, context));
  } catch (error) {
    if (error instanceof EmailTakenError) return data({ error: null, fieldErrors: { email: t("register.emailTaken") }, values }, { status: 400 });
    if (error instanceof MailDeliveryError) {
      return data({ error: t("mail.retry"), fieldErrors: {} as Record<string, string>, values }, { status: 503, headers: { "Retry-After": "60" } });
    }
    throw error;
  }
  return redirectWithFlash("/settings/email", {
    category: "success",
    message: t("email.sent", { email: newEmail }),
  });
}

export default function EmailSettings() {
  const { email, pending } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const t = useT();
  return (
    <section aria-labelledby="email-title">
      <h1 id="email-title">{t("profile.emailAddress")}</h1>
      <p>
        {`${t("email.uses")} `}
        <strong>{email}</strong>
        {`. ${t("email.intro")}`}
      </p>
      {pending ? (
        <div className="notice">
          <p>
            {`${t("email.waiting")} `}
            <strong>{pending.email}</strong>
            {` (${t("email.linkUntil")} `}
            <Time ms={pending.expiresAt} />
            {`). ${t("email.notYou")}`}
          </p>
          <Form method="post">
            <button type="submit" name="intent" value="cancel" className="button">
              {t("email.cancel")}
            </button>
          </Form>
        </div>
      ) : null}
      <FormError message={actionData?.error} />
      <Form method="post" noValidate>
        <Field
          label={t("email.new")}
          name="email"
          type="email"
          autoComplete="email"
          required
          defaultValue={actionData?.values.email}
          error={actionData?.fieldErrors.email}
        />
        <button type="submit" name="intent" value="change" className="button primary" disabled={busy}>
          {t("email.submit")}
        </button>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <TooManyAttemptsBoundary backTo="/settings/email" backLabel={useT()("email.back")} />;
}
