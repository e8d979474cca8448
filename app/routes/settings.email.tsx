import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { recordActivity, requestOrigin } from "~/activity/activity.server";
import { requestEmailChange } from "~/account/email.server";
import { cancelEmailChange, pendingEmailChange } from "~/account/tokens.server";
import { requireFreshLogin } from "~/auth/guards.server";
import { ChangeEmailSchema, parseForm, readFormData } from "~/auth/validation";
import { Field, FormError } from "~/components/field";
import { redirectWithFlash } from "~/flash.server";
import { MAIL_RETRY_MESSAGE, MailDeliveryError } from "~/mail/mailer.server";
import { EmailTakenError, findUserById } from "~/users/users.server";
import { Time } from "~/components/time";
import { i18nOf } from "~/i18n/i18n.server";

export const meta: MetaFunction = () => [{ title: "Email · Settings · Remix Auth Kit" }];

// Passes on the action's Retry-After when a mail could not be sent.
export const headers: HeadersFunction = ({ actionHeaders }) => actionHeaders;

/** `change` (the default, so a plain form with only `email` works) or `cancel` the pending change. */
const IntentSchema = z.object({
  intent: z.enum(["change", "cancel"], { message: "Unknown action." }).default("change"),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requireFreshLogin({ request, context });
  return { email: user.email, pending: await pendingEmailChange(user.id) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requireFreshLogin({ request, context });
  const form = await readFormData(request);
  const values = { email: String(form.get("email") ?? "") };
  const intent = parseForm(form, IntentSchema, i18nOf({ request, context }).t);
  if (!intent.success) return data({ error: intent.errors.intent ?? "Unknown action.", fieldErrors: {} as Record<string, string>, values }, { status: 400 });
  if (intent.data.intent === "cancel") {
    const cancelled = await cancelEmailChange(user.id);
    if (cancelled) await recordActivity({ type: "email_change_cancelled", actorId: user.id }, requestOrigin(request, context));
    return redirectWithFlash("/settings/email", {
      category: cancelled ? "success" : "info",
      message: cancelled ? `The change was cancelled: your address stays ${user.email}.` : "There was no change to cancel.",
    });
  }
  const parsed = parseForm(form, ChangeEmailSchema, i18nOf({ request, context }).t);
  if (!parsed.success) return data({ error: null, fieldErrors: parsed.errors, values }, { status: 400 });
  const newEmail = parsed.data.email;
  if (newEmail === user.email) {
    return data({ error: null, fieldErrors: { email: "This is already your email address." }, values }, { status: 400 });
  }
  const row = await findUserById(user.id);
  if (!row) throw new Response("Not found", { status: 404 });
  try {
    await requestEmailChange({ ...row, language: row.language ?? i18nOf({ request, context }).language }, newEmail, requestOrigin(request, context));
  } catch (error) {
    if (error instanceof EmailTakenError) return data({ error: null, fieldErrors: { email: error.message }, values }, { status: 400 });
    if (error instanceof MailDeliveryError) {
      return data({ error: MAIL_RETRY_MESSAGE, fieldErrors: {} as Record<string, string>, values }, { status: 503, headers: { "Retry-After": "60" } });
    }
    throw error;
  }
  return redirectWithFlash("/settings/email", {
    category: "success",
    message: `We sent a confirmation link to ${newEmail}. Your email address changes when you open it.`,
  });
}


export default function EmailSettings() {
  const { email, pending } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <section aria-labelledby="email-title">
      <h1 id="email-title">Email address</h1>
      <p>
        Your account uses <strong>{email}</strong>. A new address takes effect once you open the link we send to it; we
        also tell your current address.
      </p>
      {pending ? (
        <div className="notice">
          <p>
            Waiting for confirmation: <strong>{pending.email}</strong> (the link works until <Time ms={pending.expiresAt} />).
            Did not ask for this? Cancel it, then change your password.
          </p>
          <Form method="post">
            <button type="submit" name="intent" value="cancel" className="button">
              Cancel the change
            </button>
          </Form>
        </div>
      ) : null}
      <FormError message={actionData?.error} />
      <Form method="post" noValidate>
        <Field
          label="New email address"
          name="email"
          type="email"
          autoComplete="email"
          required
          defaultValue={actionData?.values.email}
          error={actionData?.fieldErrors.email}
        />
        <button type="submit" name="intent" value="change" className="button primary" disabled={busy}>
          Send confirmation link
        </button>
      </Form>
    </section>
  );
}
