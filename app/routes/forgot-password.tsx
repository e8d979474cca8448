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
import { i18nOf } from "~/i18n/i18n.server";
import { titleMeta, useT } from "~/i18n/i18n";

export const meta: MetaFunction = ({ matches }) => [
  titleMeta(matches, "forgot.title"),
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
  const parsed = parseForm(form, ForgotPasswordSchema, i18nOf({ request, context }).t);
  if (!parsed.success) {
    return data({ sent: false as const, fieldErrors: parsed.errors, email: String(form.get("email") ?? "") }, { status: 400 });
  }
  // Counted per address typed and per client, whether or not an account exists (no enumeration).
  const origin = requestOrigin(request, context);
  await limitRequest("forgot-password", { account: parsed.data.email, address: context.clientIp }, origin);
  // The same answer, at the same speed, whether or not the address has an account: the work happens after it.
  requestPasswordResetInBackground(parsed.data.email, origin, i18nOf({ request, context }).language);
  return { sent: true as const, email: parsed.data.email };
}

export default function ForgotPasswordPage() {
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const t = useT();
  if (actionData?.sent) {
    return (
      <section className="card narrow" aria-labelledby="forgot-title">
        <h1 id="forgot-title">{t("forgot.sentTitle")}</h1>
        <p role="status">{t("forgot.sent", { email: actionData.email })}</p>
        <p className="aside">
          {`${t("forgot.noEmail")} `}
          <Link to="/forgot-password">{t("forgot.tryAgain")}</Link>.
        </p>
      </section>
    );
  }
  const fieldErrors = actionData?.fieldErrors ?? {};
  return (
    <section className="card narrow" aria-labelledby="forgot-title">
      <h1 id="forgot-title">{t("forgot.title")}</h1>
      <p>{t("forgot.intro")}</p>
      <FormError message={fieldErrors.email ? t("form.correctField") : null} />
      <Form method="post" noValidate>
        <Field
          label={t("form.email")}
          name="email"
          type="email"
          autoComplete="email"
          required
          autoFocus
          defaultValue={actionData?.email}
          error={fieldErrors.email}
        />
        <button type="submit" className="button primary" disabled={busy}>
          {t("forgot.submit")}
        </button>
      </Form>
      <p className="aside">
        {`${t("forgot.remembered")} `}
        <Link to="/login">{t("forgot.logIn")}</Link>
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <TooManyAttemptsBoundary backTo="/forgot-password" backLabel={useT()("forgot.back")} />;
}
