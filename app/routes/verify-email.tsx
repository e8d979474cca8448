import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requestOrigin } from "~/activity/activity.server";
import { confirmEmail } from "~/account/email.server";
import { checkToken, type TokenPurpose } from "~/account/tokens.server";
import { getUser } from "~/auth/guards.server";
import { parseForm, readFormData, VerifyEmailSchema } from "~/auth/validation";
import { LinkProblem, type LinkProblemKind, linkProblemStatus } from "~/components/link-problem";
import { redirectWithFlash } from "~/flash.server";
import { i18nOf } from "~/i18n/i18n.server";

export const meta: MetaFunction = () => [
  { title: "Confirm your email address · Remix Auth Kit" },
  { name: "referrer", content: "no-referrer" },
];

export const headers: HeadersFunction = () => ({ "Referrer-Policy": "no-referrer" });

const PURPOSES: TokenPurpose[] = ["email_confirmation", "email_change"];

function linkProblem(problem: LinkProblemKind) {
  return data({ problem }, { status: linkProblemStatus(problem), headers: { "Referrer-Policy": "no-referrer" } });
}

/**
 * Public: the token is the credential. Opening the link changes nothing (mail
 * scanners and previews open links too); the button on the page does.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const token = new URL(request.url).searchParams.get("token") ?? "";
  const check = await checkToken(token, PURPOSES);
  if (!check.ok) return linkProblem(check.problem);
  return { problem: null, token, email: check.token.email, change: check.token.purpose === "email_change" };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = parseForm(await readFormData(request), VerifyEmailSchema, i18nOf({ request, context }).t);
  if (!parsed.success) return linkProblem("invalid");
  const check = await checkToken(parsed.data.token, PURPOSES);
  if (!check.ok) return linkProblem(check.problem);
  const result = await confirmEmail(check, requestOrigin(request, context));
  if (!result.ok) return linkProblem(result.problem);
  const signedIn = getUser({ context })?.id === result.userId;
  const message =
    result.purpose === "email_change"
      ? `Your email address is now ${result.email}.`
      : `Thank you: ${result.email} is confirmed.`;
  return redirectWithFlash(signedIn ? "/settings/profile" : "/login", { category: "success", message });
}

export default function VerifyEmailPage() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const problem = actionData?.problem ?? loaderData.problem;
  if (problem) return <LinkProblem problem={problem} retry={{ to: "/settings/profile", label: "Go to your profile" }} />;
  if (!("token" in loaderData)) return null;
  return (
    <section className="card narrow" aria-labelledby="verify-title">
      <h1 id="verify-title">{loaderData.change ? "Confirm your new email address" : "Confirm your email address"}</h1>
      <p>
        {loaderData.change
          ? `Press the button to make ${loaderData.email} the email address of your account.`
          : `Press the button to confirm that ${loaderData.email} is your email address.`}
      </p>
      <Form method="post" noValidate>
        <input type="hidden" name="token" value={loaderData.token} />
        <button type="submit" className="button primary" disabled={busy}>
          {loaderData.change ? "Confirm new address" : "Confirm email address"}
        </button>
      </Form>
    </section>
  );
}
