import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import { requestOrigin } from "~/activity/activity.server";
import { requestPasswordResetInBackground } from "~/account/password-reset.server";
import { requireAnonymous } from "~/auth/guards.server";
import { limitRequest, rateLimitHeaders } from "~/auth/rate-limit.server";
import { ForgotPasswordSchema, parseForm, readFormData } from "~/auth/validation";
import { Field, FormError } from "~/components/field";
import { TooManyAttemptsBoundary } from "~/components/too-many-attempts";

export const meta: MetaFunction = () => [
  { title: "Forgot your password? · Remix Auth Kit" },
  { name: "referrer", content: "no-referrer" },
];

export const headers: HeadersFunction = (args) => {
  const headers = new Headers(rateLimitHeaders(args));
  headers.set("Referrer-Policy", "no-referrer");
  return headers;
};

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAnonymous({ request, context });
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  await requireAnonymous({ request, context });
  const form = await readFormData(request);
  const parsed = parseForm(form, ForgotPasswordSchema);
  if (!parsed.success) {
    return data({ sent: false as const, fieldErrors: parsed.errors, email: String(form.get("email") ?? "") }, { status: 400 });
  }
  // Counted per address typed and per client, whether or not an account exists (no enumeration).
  const origin = requestOrigin(request, context);
  await limitRequest("forgot-password", { account: parsed.data.email, address: context.clientIp }, origin);
  // The same answer, at the same speed, whether or not the address has an account: the work happens after it.
  requestPasswordResetInBackground(parsed.data.email, origin);
  return { sent: true as const, email: parsed.data.email };
}

export default function ForgotPasswordPage() {
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  if (actionData?.sent) {
    return (
      <section className="card narrow" aria-labelledby="forgot-title">
        <h1 id="forgot-title">Check your email</h1>
        <p role="status">
          {`If an account exists for ${actionData.email}, we have sent it a link to reset the password. The link works once and for a limited time.`}
        </p>
        <p className="aside">
          No email after a few minutes? Check your spam folder, or <Link to="/forgot-password">try again</Link>.
        </p>
      </section>
    );
  }
  const fieldErrors = actionData?.fieldErrors ?? {};
  return (
    <section className="card narrow" aria-labelledby="forgot-title">
      <h1 id="forgot-title">Forgot your password?</h1>
      <p>Enter the email address of your account and we will send you a link to choose a new password.</p>
      <FormError message={fieldErrors.email ? "Please correct the highlighted field." : null} />
      <Form method="post" noValidate>
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          required
          autoFocus
          defaultValue={actionData?.email}
          error={fieldErrors.email}
        />
        <button type="submit" className="button primary" disabled={busy}>
          Send reset link
        </button>
      </Form>
      <p className="aside">
        Remembered it? <Link to="/login">Log in</Link>
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <TooManyAttemptsBoundary backTo="/forgot-password" backLabel="Back to forgot password" />;
}
