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
import { titleMeta, useT } from "~/i18n/i18n";

export const meta: MetaFunction = ({ matches }) => [
  titleMeta(matches, "verify.title"),
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
  const { t } = i18nOf({ request, context });
  const parsed = parseForm(await readFormData(request), VerifyEmailSchema, t);
  if (!parsed.success) return linkProblem("invalid");
  const check = await checkToken(parsed.data.token, PURPOSES);
  if (!check.ok) return linkProblem(check.problem);
  const result = await confirmEmail(check, requestOrigin(request, context));
  if (!result.ok) return linkProblem(result.problem);
  const signedIn = getUser({ context })?.id === result.userId;
  const message =
    result.purpose === "email_change"
      ? t("verify.changed", { email: result.email })
      : t("verify.confirmed", { email: result.email });
  return redirectWithFlash(signedIn ? "/settings/profile" : "/login", { category: "success", message });
}

export default function VerifyEmailPage() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const problem = actionData?.problem ?? loaderData.problem;
  const t = useT();
  if (problem) return <LinkProblem problem={problem} retry={{ to: "/settings/profile", label: t("verify.toProfile") }} />;
  if (!("token" in loaderData)) return null;
  return (
    <section className="card narrow" aria-labelledby="verify-title">
      <h1 id="verify-title">{loaderData.change ? t("verify.titleChange") : t("verify.title")}</h1>
      <p>{loaderData.change ? t("verify.introChange", { email: loaderData.email }) : t("verify.intro", { email: loaderData.email })}</p>
      <Form method="post" noValidate>
        <input type="hidden" name="token" value={loaderData.token} />
        <button type="submit" className="button primary" disabled={busy}>
          {loaderData.change ? t("verify.submitChange") : t("verify.submit")}
        </button>
      </Form>
    </section>
  );
}
