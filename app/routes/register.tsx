import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { requestOrigin } from "~/activity/activity.server";
import { sendEmailConfirmation } from "~/account/email.server";
import { requireAnonymous } from "~/auth/guards.server";
import { loginUser } from "~/auth/login.server";
import { weakPasswordReason } from "~/auth/password-strength.server";
import { limitRequest, rateLimitHeaders } from "~/auth/rate-limit.server";
import { parseForm, readFormData, RegisterSchema } from "~/auth/validation";
import { Field, FormError, NewPasswordField } from "~/components/field";
import { TooManyAttemptsBoundary } from "~/components/too-many-attempts";
import { getConfig } from "~/config.server";
import { announce } from "~/events/events.server";
import { MailDeliveryError } from "~/mail/mailer.server";
import { createUser, EmailTakenError } from "~/users/users.server";
import { SubmitButton } from "~/components/submit-button";
import { i18nOf } from "~/i18n/i18n.server";
import { titleMeta, useT } from "~/i18n/i18n";

export const meta: MetaFunction = ({ matches }) => [titleMeta(matches, "register.title")];

export const headers: HeadersFunction = (args) => rateLimitHeaders(args);

function registrationClosed() {
  return data({ closed: true as const }, { status: 403 });
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAnonymous({ request, context });
  if (getConfig().registration === "closed") return registrationClosed();
  return { closed: false as const };
}

export async function action({ request, context }: ActionFunctionArgs) {
  await requireAnonymous({ request, context });
  if (getConfig().registration === "closed") return registrationClosed();
  const form = await readFormData(request);
  const i18n = i18nOf({ request, context });
  const { t } = i18n;
  const parsed = parseForm(form, RegisterSchema, t);
  const values = { name: String(form.get("name") ?? ""), email: String(form.get("email") ?? "") };
  if (!parsed.success) return data({ fieldErrors: parsed.errors, values }, { status: 400 });
  const weakness = await weakPasswordReason(parsed.data.password, parsed.data, i18n);
  if (weakness) return data({ fieldErrors: { password: weakness } as Record<string, string>, values }, { status: 400 });
  // Counted per client address for every well-formed attempt, taken address or not (LOGIN_IP_RATE_LIMIT).
  const origin = requestOrigin(request, context);
  await limitRequest("register", { address: context.clientIp }, origin);
  try {
    const user = await createUser(parsed.data);
    await announce({ type: "registered", actorId: user.id }, origin);
    // Signed in at once, unconfirmed: the confirmation link is an invitation, not a gate.
    const sent = await sendEmailConfirmation({ ...user, language: user.language ?? i18n.language }).then(
      () => true,
      (error: unknown) => {
        if (error instanceof MailDeliveryError) return false;
        throw error;
      },
    );
    return await loginUser(request, context, {
      userId: user.id,
      remember: false,
      // Its record is "registered" (above), not a sign-in.
      recordLogin: false,
      redirectTo: new URL(request.url).searchParams.get("redirectTo"),
      flash: sent
        ? {
            category: "success",
            message: t("register.welcome", { name: user.name, email: user.email }),
          }
        : {
            category: "warning",
            message: t("register.welcomeUnsent", { name: user.name }),
          },
    });
  } catch (error) {
    if (error instanceof EmailTakenError) {
      return data({ fieldErrors: { email: t("register.emailTaken") } as Record<string, string>, values }, { status: 400 });
    }
    throw error;
  }
}

export default function RegisterPage() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const [searchParams] = useSearchParams();
  const t = useT();
  if (loaderData.closed || (actionData && "closed" in actionData)) {
    return (
      <section className="card narrow">
        <h1>{t("register.closedTitle")}</h1>
        <p>{t("register.closedText")}</p>
        <p>
          <Link to="/login">{t("register.logIn")}</Link>
        </p>
      </section>
    );
  }
  const errors = actionData && "fieldErrors" in actionData ? actionData.fieldErrors : {};
  const values = actionData && "values" in actionData ? actionData.values : undefined;
  const hasErrors = Object.keys(errors).length > 0;
  return (
    <section className="card narrow" aria-labelledby="register-title">
      <h1 id="register-title">{t("register.title")}</h1>
      <FormError message={hasErrors ? t("form.correctFields") : null} />
      <Form method="post" noValidate>
        <Field label={t("form.name")} name="name" autoComplete="name" required defaultValue={values?.name} error={errors.name} />
        <Field
          label={t("form.email")}
          name="email"
          type="email"
          autoComplete="email"
          required
          defaultValue={values?.email}
          error={errors.email}
        />
        <NewPasswordField error={errors.password} />
        <SubmitButton busy={navigation.state === "submitting"} busyLabel={t("register.busy")}>
          {t("register.submit")}
        </SubmitButton>
      </Form>
      <p className="aside">
        {`${t("register.haveAccount")} `}
        <Link to={searchParams.get("redirectTo") ? `/login?${searchParams}` : "/login"}>{t("register.logIn")}</Link>
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <TooManyAttemptsBoundary backTo="/register" backLabel={useT()("register.back")} />;
}
