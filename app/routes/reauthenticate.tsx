import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { recordActivity, requestOrigin } from "~/activity/activity.server";
import { requireAuth } from "~/auth/guards.server";
import { checkCurrentPassword, completeReauthentication } from "~/auth/reauthenticate.server";
import { parseForm, ReauthenticateSchema } from "~/auth/validation";
import { Field, FormError } from "~/components/field";

export const meta: MetaFunction = () => [{ title: "Confirm it's you · Remix Auth Kit" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireAuth(request);
  return { email: user.email };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireAuth(request);
  const parsed = parseForm(await request.formData(), ReauthenticateSchema);
  if (!parsed.success) return data({ error: "Check the highlighted fields.", fieldErrors: parsed.errors }, { status: 400 });
  if (!(await checkCurrentPassword(auth.user.id, parsed.data.password))) {
    await recordActivity({ type: "reauthentication_failed", actorId: auth.user.id }, requestOrigin(request, context));
    return data({ error: "Incorrect password.", fieldErrors: {} as Record<string, string> }, { status: 400 });
  }
  return completeReauthentication(request, context, auth, parsed.data.redirectTo);
}

export default function ReauthenticatePage() {
  const { email } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  return (
    <section className="card narrow" aria-labelledby="reauth-title">
      <h1 id="reauth-title">Confirm it&apos;s you</h1>
      <p>This page needs a recent sign-in. Enter the password for {email} to continue.</p>
      <FormError message={actionData?.error} />
      <Form method="post" noValidate>
        <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? ""} />
        {/* Lets password managers fill the right account. */}
        <input type="hidden" name="username" autoComplete="username" value={email} readOnly />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          autoFocus
          error={actionData?.fieldErrors.password}
        />
        <button type="submit" className="button primary" disabled={busy}>
          Confirm
        </button>
      </Form>
    </section>
  );
}
