import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { recordActivity, requestOrigin } from "~/activity/activity.server";
import { sendEmailConfirmation } from "~/account/email.server";
import { requireAnonymous } from "~/auth/guards.server";
import { loginUser } from "~/auth/login.server";
import { weakPasswordReason } from "~/auth/password-strength.server";
import { limitRequest, rateLimitHeaders } from "~/auth/rate-limit.server";
import { parseForm, readFormData, RegisterSchema } from "~/auth/validation";
import { Field, FormError, NewPasswordField } from "~/components/field";
import { TooManyAttemptsBoundary } from "~/components/too-many-attempts";
import { getConfig } from "~/config.server";
import { MailDeliveryError } from "~/mail/mailer.server";
import { createUser, EmailTakenError } from "~/users/users.server";
import { SubmitButton } from "~/components/submit-button";

export const meta: MetaFunction = () => [{ title: "Create an account · Remix Auth Kit" }];

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
  const parsed = parseForm(form, RegisterSchema);
  const values = { name: String(form.get("name") ?? ""), email: String(form.get("email") ?? "") };
  if (!parsed.success) return data({ fieldErrors: parsed.errors, values }, { status: 400 });
  const weakness = await weakPasswordReason(parsed.data.password, parsed.data);
  if (weakness) return data({ fieldErrors: { password: weakness } as Record<string, string>, values }, { status: 400 });
  // Counted per client address for every well-formed attempt, taken address or not (LOGIN_IP_RATE_LIMIT).
  const origin = requestOrigin(request, context);
  await limitRequest("register", { address: context.clientIp }, origin);
  try {
    const user = await createUser(parsed.data);
    await recordActivity({ type: "registered", actorId: user.id }, origin);
    // Signed in at once, unconfirmed: the confirmation link is an invitation, not a gate.
    const sent = await sendEmailConfirmation(user).then(
      () => true,
      (error: unknown) => {
        if (error instanceof MailDeliveryError) return false;
        throw error;
      },
    );
    return await loginUser(request, context, {
      userId: user.id,
      remember: false,
      redirectTo: new URL(request.url).searchParams.get("redirectTo"),
      flash: sent
        ? {
            category: "success",
            message: `Welcome, ${user.name}! Your account is ready. Please confirm your email address with the link we sent to ${user.email}.`,
          }
        : {
            category: "warning",
            message: `Welcome, ${user.name}! Your account is ready, but we could not send the confirmation email just now. You can send it again from your profile.`,
          },
    });
  } catch (error) {
    if (error instanceof EmailTakenError) {
      return data({ fieldErrors: { email: error.message } as Record<string, string>, values }, { status: 400 });
    }
    throw error;
  }
}

export default function RegisterPage() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const [searchParams] = useSearchParams();
  if (loaderData.closed || (actionData && "closed" in actionData)) {
    return (
      <section className="card narrow">
        <h1>Registration is closed</h1>
        <p>Accounts on this site are created by an administrator. Ask yours for an invitation.</p>
        <p>
          <Link to="/login">Log in</Link>
        </p>
      </section>
    );
  }
  const errors = actionData && "fieldErrors" in actionData ? actionData.fieldErrors : {};
  const values = actionData && "values" in actionData ? actionData.values : undefined;
  const hasErrors = Object.keys(errors).length > 0;
  return (
    <section className="card narrow" aria-labelledby="register-title">
      <h1 id="register-title">Create an account</h1>
      <FormError message={hasErrors ? "Please correct the highlighted fields." : null} />
      <Form method="post" noValidate>
        <Field label="Name" name="name" autoComplete="name" required defaultValue={values?.name} error={errors.name} />
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          required
          defaultValue={values?.email}
          error={errors.email}
        />
        <NewPasswordField error={errors.password} />
        <SubmitButton busy={navigation.state === "submitting"} busyLabel="Creating account…">
          Create account
        </SubmitButton>
      </Form>
      <p className="aside">
        Already have an account?{" "}
        <Link to={searchParams.get("redirectTo") ? `/login?${searchParams}` : "/login"}>Log in</Link>
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <TooManyAttemptsBoundary backTo="/register" backLabel="Back to registration" />;
}
